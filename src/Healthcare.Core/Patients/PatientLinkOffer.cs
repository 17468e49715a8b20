using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Patients;

/// <summary>
/// A clinic's offer to link a patient record to the patient's own account: a single-use, expiring claim that the
/// worker delivers to the contact details on the record, stored only as the token's SHA-256 hash. Staff can make an
/// offer but never accept one; the record is linked (<see cref="Patient.UserId"/>) only when someone signed in with a
/// confirmed address presents the token (ADR 43).
/// </summary>
public sealed class PatientLinkOffer
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid ClinicId { get; init; }

    public Guid PatientId { get; init; }

    /// <summary>Null for the record of a link made before offers existed (see <see cref="FormerUserId"/>).</summary>
    public byte[]? TokenHash { get; init; }

    /// <summary>Where the claim went: <c>email</c> or <c>sms</c>, to the record's address or phone number.</summary>
    public required string Channel { get; init; }

    /// <summary>The staff member who made the offer; they can never be the one to accept it.</summary>
    public Guid? OfferedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? AcceptedAt { get; set; }

    public Guid? AcceptedBy { get; set; }

    /// <summary>When a newer offer, an acceptance or an unlink made this one unusable.</summary>
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>The account that staff linked directly, before links needed the patient's acceptance; no longer linked.</summary>
    public Guid? FormerUserId { get; init; }
}

public static class PatientLinkChannels
{
    public const string Email = "email";
    public const string Sms = "sms";

    /// <summary>A record linked directly by staff before offers existed; the migration unlinked it.</summary>
    public const string Legacy = "legacy";
}

internal sealed class PatientLinkOfferConfiguration : IEntityTypeConfiguration<PatientLinkOffer>
{
    public void Configure(EntityTypeBuilder<PatientLinkOffer> builder)
    {
        builder.Property(o => o.Channel).HasMaxLength(16);
        builder.HasIndex(o => o.TokenHash).IsUnique();
        builder.HasIndex(o => new { o.PatientId, o.CreatedAt });
        builder.HasOne<Patient>().WithMany().HasForeignKey(o => o.PatientId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Clinics.Clinic>().WithMany().HasForeignKey(o => o.ClinicId).OnDelete(DeleteBehavior.Restrict);
        builder.ToTable(t =>
        {
            t.HasCheckConstraint("ck_patient_link_offers_channel", "channel IN ('email', 'sms', 'legacy')");
            t.HasCheckConstraint("ck_patient_link_offers_token", "(token_hash IS NULL) = (channel = 'legacy')");
        });
    }
}
