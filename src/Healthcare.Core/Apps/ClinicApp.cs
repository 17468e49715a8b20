using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Apps;

/// <summary>
/// A third-party application registered by a clinic (or, without a clinic, by a platform administrator for all
/// clinics). The protocol side (client id, redirect URIs, public keys, permissions) lives in OpenIddict's application
/// row with the same id; this row holds what the backend decides with: the clinic the app is limited to, whether it
/// is disabled, and the scopes it may ever receive.
/// </summary>
public sealed class ClinicApp
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>The clinic whose data the app may reach; null for a platform-wide app.</summary>
    public Guid? ClinicId { get; init; }

    public required string ClientId { get; init; }

    public required string Name { get; set; }

    /// <summary><see cref="AppKinds.Public"/> (a browser or phone app) or <see cref="AppKinds.Backend"/> (a service).</summary>
    public required string Kind { get; init; }

    /// <summary>The SMART scopes the app may request, space-separated.</summary>
    public required string Scopes { get; set; }

    /// <summary>Where a backend app publishes its public keys, when it does not upload them.</summary>
    public string? JwksUrl { get; set; }

    public Guid CreatedByUserId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? DisabledAt { get; set; }
}

public static class AppKinds
{
    public const string Public = "public";
    public const string Backend = "backend";

    public static readonly IReadOnlyList<string> All = [Public, Backend];
}

/// <summary>
/// The <c>jti</c> of a client assertion already used: SMART Backend Services refuses an assertion presented twice.
/// Rows outlive the assertion's own expiry only until the maintenance job removes them.
/// </summary>
public sealed class ClientAssertionUse
{
    public required string ClientId { get; init; }

    public required string Jti { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }
}

internal sealed class ClinicAppConfiguration : IEntityTypeConfiguration<ClinicApp>
{
    public void Configure(EntityTypeBuilder<ClinicApp> builder)
    {
        builder.ToTable("clinic_apps", t => t.HasCheckConstraint("ck_clinic_apps_kind", "kind IN ('public', 'backend')"));
        builder.Property(a => a.ClientId).HasMaxLength(100);
        builder.Property(a => a.Name).HasMaxLength(200);
        builder.Property(a => a.Kind).HasMaxLength(16);
        builder.Property(a => a.Scopes).HasMaxLength(2000);
        builder.Property(a => a.JwksUrl).HasMaxLength(2000);
        builder.HasIndex(a => a.ClientId).IsUnique();
        builder.HasIndex(a => a.ClinicId);
        builder.HasOne<Clinics.Clinic>().WithMany().HasForeignKey(a => a.ClinicId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Identity.User>().WithMany().HasForeignKey(a => a.CreatedByUserId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ClientAssertionUseConfiguration : IEntityTypeConfiguration<ClientAssertionUse>
{
    public void Configure(EntityTypeBuilder<ClientAssertionUse> builder)
    {
        builder.ToTable("client_assertion_uses");
        builder.HasKey(u => new { u.ClientId, u.Jti });
        builder.Property(u => u.ClientId).HasMaxLength(100);
        builder.Property(u => u.Jti).HasMaxLength(200);
        builder.HasIndex(u => u.ExpiresAt);
    }
}
