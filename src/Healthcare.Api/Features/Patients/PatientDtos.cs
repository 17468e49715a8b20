using System.ComponentModel.DataAnnotations;
using Healthcare.Api.Platform;
using Healthcare.Core.Patients;
using Healthcare.Core.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Healthcare.Api.Features.Patients;

/// <summary>
/// What staff may set on a patient. The national id and insurance member id are write-only: answers show at
/// most the national id's last four characters. Leaving them out of an update keeps the stored values.
/// </summary>
public sealed record PatientRequest(
    [property: Required, MinLength(1), MaxLength(100)] string GivenName,
    [property: Required, MinLength(1), MaxLength(100)] string FamilyName,
    [property: Required] DateOnly DateOfBirth,
    [property: Required, MaxLength(16), OneOf(typeof(PatientSex))] string Sex,
    [property: MaxLength(50)] string? Gender,
    [property: Phone, MaxLength(32)] string? Phone,
    [property: EmailAddress, MaxLength(254)] string? Email,
    Address? Address,
    [property: MaxLength(35)] string? PreferredLanguage,
    [property: MaxLength(5)] List<EmergencyContact>? EmergencyContacts,
    [property: MaxLength(200)] string? InsurerName,
    [property: MaxLength(32)] string? NationalId,
    [property: MaxLength(64)] string? InsuranceMemberId)
{
    public const string NationalIdPurpose = "patient.national-id";
    public const string InsuranceMemberIdPurpose = "patient.insurance-member-id";

    /// <summary>Rules the attributes cannot express; <paramref name="today"/> is the UTC date.</summary>
    public ValidationProblem? Validate(DateOnly today)
    {
        if (!PatientSex.All.Contains(Sex))
        {
            return Problems.Field("sex", $"Use one of: {string.Join(", ", PatientSex.All)}.");
        }

        if (DateOfBirth > today || DateOfBirth.Year < 1900)
        {
            return Problems.Field("dateOfBirth", "The date of birth must be between 1900-01-01 and today.");
        }

        if (Phone is not null && Phones.ToE164(Phone, Address?.Country) is null)
        {
            return Problems.Field("phone", Phones.Hint);
        }

        if (EmergencyContacts?.IndexOf(null!) is >= 0 and var missing)
        {
            return Problems.Field($"emergencyContacts[{missing}]", "Each contact must be an object, not null.");
        }

        if (EmergencyContacts?.FindIndex(c => Phones.ToE164(c.Phone, Address?.Country) is null) is >= 0 and var bad)
        {
            return Problems.Field($"emergencyContacts[{bad}].phone", Phones.Hint);
        }

        return NationalId is { } id && id.Count(char.IsLetterOrDigit) < 4
            ? Problems.Field("nationalId", "The national id is too short.")
            : null;
    }

    /// <summary>Copies the request onto the record; <paramref name="editor"/> is remembered if the contact details change.</summary>
    public void ApplyTo(Patient patient, FieldEncryption encryption, DateTimeOffset now, Guid editor)
    {
        var phone = Phone is null ? null : Phones.ToE164(Phone, Address?.Country);
        var email = Email?.Trim().ToLowerInvariant();
        if (phone != patient.Phone || email != patient.Email)
        {
            // Link offers go to these details: whoever sets them may not accept one (see PatientLinksApi).
            patient.ContactChangedBy = editor;
        }

        patient.DateOfBirth = DateOfBirth;
        patient.Gender = Gender;
        patient.Phone = phone;
        patient.Email = email;
        patient.Address = Address;
        patient.PreferredLanguage = PreferredLanguage;
        patient.EmergencyContacts = EmergencyContacts?.Select(c => c with { Phone = Phones.ToE164(c.Phone, Address?.Country)! }).ToList() ?? [];
        patient.InsurerName = InsurerName;
        patient.UpdatedAt = now;
        patient.RefreshSearchName();
        if (NationalId is not null)
        {
            var digits = new string(NationalId.Where(char.IsLetterOrDigit).ToArray());
            patient.NationalIdEncrypted = encryption.Encrypt(NationalId.Trim());
            patient.NationalIdIndex = encryption.BlindIndex(NationalId, NationalIdPurpose);
            patient.NationalIdLast4 = digits[^4..];
        }

        if (InsuranceMemberId is not null)
        {
            patient.InsuranceMemberIdEncrypted = encryption.Encrypt(InsuranceMemberId.Trim());
            patient.InsuranceMemberIdIndex = encryption.BlindIndex(InsuranceMemberId, InsuranceMemberIdPurpose);
        }
    }
}


public sealed record PatientLookupRequest([property: MaxLength(32)] string? NationalId, [property: MaxLength(64)] string? InsuranceMemberId);

public sealed record PatientDto(
    Guid Id,
    Guid ClinicId,
    string GivenName,
    string FamilyName,
    DateOnly DateOfBirth,
    [property: OneOf(typeof(PatientSex))] string Sex,
    string? Gender,
    string? Phone,
    string? Email,
    Address? Address,
    string? PreferredLanguage,
    IReadOnlyList<EmergencyContact> EmergencyContacts,
    string? InsurerName,
    string? NationalIdLast4,
    bool HasInsuranceMemberId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record PatientCreatedDto(PatientDto Patient, IReadOnlyList<Guid> PossibleDuplicates);

public static class PatientMapping
{
    public static PatientDto ToDto(this Patient p) => new(
        p.Id, p.ClinicId, p.GivenName, p.FamilyName, p.DateOfBirth, p.Sex, p.Gender, p.Phone, p.Email, p.Address,
        p.PreferredLanguage, p.EmergencyContacts, p.InsurerName, p.NationalIdLast4, p.InsuranceMemberIdEncrypted is not null,
        p.CreatedAt, p.UpdatedAt);
}
