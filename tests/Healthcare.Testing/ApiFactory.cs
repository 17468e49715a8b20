using System.Net.Http.Headers;
using System.Net.Http.Json;
using Healthcare.Api.Features.Identity;
using Healthcare.Api.Platform;
using Healthcare.Core.Clinics;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Healthcare.Testing;

/// <summary>
/// The API hosted in-process against its own fresh, migrated database on the test PostgreSQL server and the
/// test Redis. One factory per test class (xunit class fixture); the database is dropped afterwards.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public string DatabaseUrl { get; private set; } = "";

    /// <summary>Apply migrations after creating the database (off to test a stale schema).</summary>
    protected virtual bool MigrateDatabase => true;

    /// <summary>Settings for this factory; override to point at a missing server or change a limit.</summary>
    protected virtual Dictionary<string, string?> Settings() => new()
    {
        ["DATABASE_URL"] = TestServers.RuntimeUrl(DatabaseUrl),
        ["REDIS_URL"] = TestServers.RedisUrl,
        ["JWT_SIGNING_KEYS_DIR"] = TestKeys.SigningKeysDirectory,
        ["DATA_ENCRYPTION_KEYS"] = TestKeys.DataEncryptionKeys,
        ["BLIND_INDEX_KEY"] = TestKeys.BlindIndexKey,
        ["LOG_LEVEL"] = "warning",
        // Tests share one Redis and one client address: budgets large enough never to interfere.
        ["RATE_LIMIT_MAX_REQUESTS"] = "1000000",
        ["RATE_LIMIT_AUTH_MAX_REQUESTS"] = "1000000",
    };

    protected virtual string EnvironmentName => "Testing";

    /// <summary>Set to use another factory's database: a second API instance over the same data.</summary>
    protected string? SharedDatabaseUrl { get; init; }

    public async Task InitializeAsync()
    {
        DatabaseUrl = SharedDatabaseUrl ?? (MigrateDatabase
            ? await TestServers.CreateMigratedDatabaseAsync(GetType().Name)
            : await TestServers.CreateDatabaseAsync(GetType().Name));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        if (SharedDatabaseUrl is null)
        {
            await TestServers.DropDatabaseAsync(DatabaseUrl);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        foreach (var (key, value) in Settings())
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>Runs <paramref name="work"/> with a DbContext from the API's own container.</summary>
    public async Task<T> WithDbAsync<T>(Func<HealthcareDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<HealthcareDbContext>());
    }

    /// <summary>
    /// Runs <paramref name="work"/> as the database's owner, for what the API's own role may not do (change the
    /// schema, reach past the audit trail's privileges to its triggers).
    /// </summary>
    public async Task<T> WithOwnerDbAsync<T>(Func<HealthcareDbContext, Task<T>> work)
    {
        await using var db = TestServers.OpenDbContext(TestServers.OwnerUrl(DatabaseUrl));
        return await work(db);
    }

    /// <summary>Creates a clinic (named uniquely) and returns it.</summary>
    public Task<Clinic> CreateClinicAsync(string name = "Clinic") => WithDbAsync(async db =>
    {
        var clinic = new Clinic { Name = $"{name} {Guid.NewGuid():N}", TimeZone = "America/New_York" };
        db.Clinics.Add(clinic);
        await db.SaveChangesAsync();
        return clinic;
    });

    /// <summary>Creates a user with a role in <paramref name="clinicId"/> (or a super admin) and a known password.</summary>
    public Task<TestAccount> CreateUserAsync(string role, Guid? clinicId = null) => WithDbAsync(async db =>
    {
        var password = $"Test-{Guid.NewGuid():N}";
        var email = $"{role.Replace('_', '.')}.{Guid.NewGuid():N}@tests.healthcare.test";
        var user = new User
        {
            Email = email,
            DisplayName = $"Test {role}",
            PasswordHash = PasswordHashing.Hash(password),
            IsSuperAdmin = role == ClinicRoles.SuperAdmin,
            EmailVerifiedAt = DateTimeOffset.UtcNow,
        };
        if (role != ClinicRoles.SuperAdmin)
        {
            user.Memberships.Add(new ClinicMembership
            {
                ClinicId = clinicId ?? throw new ArgumentNullException(nameof(clinicId)),
                Role = role,
            });
        }

        db.Users.Add(user);
        await db.SaveChangesAsync();
        return new TestAccount(user.Id, email, password);
    });

    /// <summary>An HttpClient carrying a bearer token obtained through the real login endpoint.</summary>
    public async Task<HttpClient> ClientForAsync(TestAccount account)
    {
        var client = CreateClient();
        var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { account.Email, account.Password });
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenResponse>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.AccessToken);
        return client;
    }
}

/// <summary>Another API instance over an existing factory's database and the same Redis.</summary>
public sealed class PeerApiFactory : ApiFactory
{
    public PeerApiFactory(ApiFactory first) => SharedDatabaseUrl = first.DatabaseUrl;
}

public sealed record TestAccount(Guid Id, string Email, string Password);
