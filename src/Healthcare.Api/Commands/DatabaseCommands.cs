using System.Security.Cryptography;
using System.Text;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Clinics;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.ServiceDefaults.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Commands;

/// <summary>
/// The one-shot modes of the API binary: <c>migrate</c> applies pending EF Core migrations and exits;
/// <c>seed</c> creates the demo clinic and its users once (never in Production).
/// </summary>
public static partial class DatabaseCommands
{
    public const string DemoClinicName = "Demo Clinic";
    public const string DemoEmailDomain = "demo.healthcare.test";

    public static async Task<int?> TryRunCommandAsync(this WebApplication app, string[] args)
    {
        StartupGuard.ValidateSettings(app.Services);
        // Host options such as --environment=Testing may come first; a command is a bare word.
        switch (args.FirstOrDefault(a => !a.StartsWith('-')))
        {
            case null or "serve":
                ProductionSettings.Check(app);
                return null;
            case "migrate":
                return await MigrateAsync(app.Services);
            case "seed":
                return await SeedDemoDataAsync(app.Services, app.Environment, CredentialsFile(args));
            case "verify-audit":
                return await VerifyAuditAsync(app.Services);
            case "seed-large":
                return await LargeSeed.RunAsync(app.Services, app.Environment, app.Configuration, CredentialsFile(args));
            case var unknown:
                await Console.Error.WriteLineAsync($"unknown command '{unknown}': use serve (default), migrate, seed [--credentials-file PATH], seed-large [--credentials-file PATH] or verify-audit");
                return 64;
        }
    }

    private static string? CredentialsFile(string[] args)
    {
        var index = Array.IndexOf(args, "--credentials-file");
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    public static async Task<int> MigrateAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HealthcareDbContext>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Healthcare.Migrate");
        var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
        await DatabaseSchema.MigrateAsync(db);
        LogMigrated(logger, pending.Count, pending);
        return 0;
    }

    public static async Task<int> SeedDemoDataAsync(IServiceProvider services, IHostEnvironment environment, string? credentialsFile)
    {
        if (environment.IsProduction())
        {
            await Console.Error.WriteLineAsync("seed refused: demo data is never created in Production");
            return 1;
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HealthcareDbContext>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        if (await db.Clinics.SingleOrDefaultAsync(c => c.Name == DemoClinicName) is { } existing)
        {
            Console.WriteLine("Demo accounts are already present; their credentials were printed when they were created" +
                (credentialsFile is null ? "." : $" and saved to {credentialsFile}."));
            // Accounts made before addresses had to be confirmed: the demo addresses are the seed's own.
            await db.Users.Where(u => u.Email.EndsWith("@" + DemoEmailDomain) && u.EmailVerifiedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.EmailVerifiedAt, now));
            await DemoClinicData.SeedAsync(scope.ServiceProvider, existing.Id);
            return 0;
        }

        var clinic = new Clinic { Name = DemoClinicName, TimeZone = "America/New_York" };
        var accounts = new List<(string Role, string Email, string Password)>();
        User Account(string role, string name, bool superAdmin = false)
        {
            var email = $"{role.Replace('_', '.')}@{DemoEmailDomain}";
            var password = NewPassword();
            accounts.Add((role, email, password));
            var user = new User
            {
                Email = email,
                DisplayName = name,
                PasswordHash = PasswordHashing.Hash(password),
                IsSuperAdmin = superAdmin,
                EmailVerifiedAt = now,
            };
            if (!superAdmin)
            {
                user.Memberships.Add(new ClinicMembership { ClinicId = clinic.Id, Role = role });
            }

            return user;
        }

        db.Clinics.Add(clinic);
        db.Users.AddRange(
            Account(ClinicRoles.SuperAdmin, "Sam Super", superAdmin: true),
            Account(ClinicRoles.ClinicAdmin, "Alex Admin"),
            Account(ClinicRoles.Doctor, "Dr. Dana Doctor"),
            Account(ClinicRoles.Receptionist, "Riley Reception"),
            Account(ClinicRoles.Patient, "Pat Patient"));
        await db.SaveChangesAsync();

        var table = new StringBuilder()
            .AppendLine("Demo accounts (shown once; passwords are random per data folder):")
            .AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  {"role",-13} {"e-mail",-36} password");
        foreach (var (role, email, password) in accounts)
        {
            table.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  {role,-13} {email,-36} {password}");
        }

        await DemoClinicData.SeedAsync(scope.ServiceProvider, clinic.Id);
        Console.Write(table.ToString());
        if (credentialsFile is not null)
        {
            await File.WriteAllTextAsync(credentialsFile, table.ToString());
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(credentialsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        return 0;
    }

    /// <summary>Exit code of <c>verify-audit</c> when a chain is broken.</summary>
    public const int AuditBrokenExitCode = 3;

    public static async Task<int> VerifyAuditAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HealthcareDbContext>();
        var result = await db.VerifyAsync(CancellationToken.None);
        if (result.FirstBreak is { } broken)
        {
            await Console.Error.WriteLineAsync(
                $"audit trail broken at event {broken.EventId} (chain {broken.ChainId}): {broken.Problem}");
            return AuditBrokenExitCode;
        }

        Console.WriteLine($"audit trail intact: {result.EventsChecked} event(s) in {result.Chains} chain(s)");
        return 0;
    }

    private static string NewPassword() =>
        // 18 random bytes: 24 URL-safe characters, well past the 12-character minimum.
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is up to date; applied {Count} migration(s): {Migrations}")]
    private static partial void LogMigrated(ILogger logger, int count, IReadOnlyList<string> migrations);
}
