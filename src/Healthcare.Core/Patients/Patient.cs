using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Patients;

/// <summary>
/// A patient of one clinic. National id and insurance member id are stored only encrypted (AES-256-GCM, see
/// <see cref="Security.FieldEncryption"/>), with blind indexes for exact lookups.
/// </summary>
public sealed class Patient
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid ClinicId { get; init; }

    /// <summary>The patient's own sign-in account, once the patient accepted a link offer (<see cref="PatientLinkOffer"/>).</summary>
    public Guid? UserId { get; set; }

    /// <summary>Who last set <see cref="Email"/> or <see cref="Phone"/>: that account may not accept a link offer for the record.</summary>
    public Guid? ContactChangedBy { get; set; }

    public required string GivenName { get; set; }

    public required string FamilyName { get; set; }

    /// <summary>"family given", lower-case without diacritics: what name search and duplicate checks compare.</summary>
    public string SearchName { get; private set; } = "";

    public DateOnly DateOfBirth { get; set; }

    public required string Sex { get; set; }

    public string? Gender { get; set; }

    public string? Phone { get; set; }

    public string? Email { get; set; }

    public Address? Address { get; set; }

    public string? PreferredLanguage { get; set; }

    public List<EmergencyContact> EmergencyContacts { get; set; } = [];

    public string? InsurerName { get; set; }

    public string? NationalIdEncrypted { get; set; }

    public byte[]? NationalIdIndex { get; set; }

    public string? NationalIdLast4 { get; set; }

    public string? InsuranceMemberIdEncrypted { get; set; }

    public byte[]? InsuranceMemberIdIndex { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>PostgreSQL's row version (xmin): the ETag, and the optimistic-concurrency check on update.</summary>
    public uint Version { get; private set; }

    public void RefreshSearchName() => SearchName = NormalizeName($"{FamilyName} {GivenName}");

    public static string NormalizeName(string name)
    {
        var decomposed = name.Trim().ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var letters = decomposed.Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark);
        return string.Join(' ', new string(letters.ToArray()).Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}

public sealed record Address(string? Line1, string? Line2, string? City, string? Region, string? PostalCode, string? Country);

public sealed record EmergencyContact(string Name, string Relationship, string Phone);

public static class PatientSex
{
    public static readonly IReadOnlyList<string> All = ["female", "male", "intersex", "unknown"];
}

internal sealed class PatientConfiguration : IEntityTypeConfiguration<Patient>
{
    public void Configure(EntityTypeBuilder<Patient> builder)
    {
        builder.Property(p => p.GivenName).HasMaxLength(100);
        builder.Property(p => p.FamilyName).HasMaxLength(100);
        builder.Property(p => p.SearchName).HasMaxLength(201);
        builder.Property(p => p.Sex).HasMaxLength(16);
        builder.Property(p => p.Gender).HasMaxLength(50);
        builder.Property(p => p.Phone).HasMaxLength(32);
        builder.Property(p => p.Email).HasMaxLength(254);
        builder.Property(p => p.PreferredLanguage).HasMaxLength(35);
        builder.Property(p => p.InsurerName).HasMaxLength(200);
        builder.Property(p => p.NationalIdLast4).HasMaxLength(4);
        builder.Property(p => p.Version).IsRowVersion();
        builder.OwnsOne(p => p.Address, a => a.ToJson());
        builder.OwnsMany(p => p.EmergencyContacts, c => c.ToJson());
        builder.HasOne<Clinics.Clinic>().WithMany().HasForeignKey(p => p.ClinicId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Identity.User>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.SetNull);
        // Name-prefix search within a clinic, and the duplicate check (same name and date of birth).
        builder.HasIndex(p => new { p.ClinicId, p.SearchName, p.DateOfBirth }).HasOperators(null!, "text_pattern_ops", null!);
        builder.HasIndex(p => new { p.ClinicId, p.NationalIdIndex });
        builder.HasIndex(p => new { p.ClinicId, p.InsuranceMemberIdIndex });
        builder.HasIndex(p => p.UserId);
        // A clinic's rows in id order, read in batches by a FHIR bulk export (Fhir/BulkExportBuilder).
        builder.HasIndex(p => new { p.ClinicId, p.Id });
        builder.ToTable(t =>
        {
            t.HasCheckConstraint("ck_patients_sex", "sex IN ('female', 'male', 'intersex', 'unknown')");
            t.HasCheckConstraint("ck_patients_encrypted_national_id", "national_id_encrypted IS NULL OR national_id_encrypted LIKE 'v1.%'");
        });
    }
}
