using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Practitioners;
using Healthcare.Core.Scheduling;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Practitioners;

public sealed partial record PractitionerRequest(
    [property: Required, MinLength(1), MaxLength(200)] string DisplayName,
    [property: MaxLength(100)] string? Title,
    [property: MaxLength(10)] List<string>? Specialties,
    [property: Required, MinLength(1), MaxLength(64)] string LicenceNumber,
    [property: MaxLength(2000)] string? Bio,
    [property: MaxLength(20)] List<Guid>? LocationIds,
    Guid? UserId,
    bool? IsActive)
{
    public async Task<ValidationProblem?> ValidateAsync(HealthcareDbContext db, Guid clinicId, Guid? self, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(DisplayName))
        {
            return Problems.Field("displayName", "Give the practitioner's name.");
        }

        if (Specialties?.Any(s => s is null || !SpecialtyCode().IsMatch(s)) == true)
        {
            return Problems.Field("specialties", "Use lower-case codes of letters, digits and hyphens, such as general-practice.");
        }

        var locations = LocationIds?.Distinct().ToList() ?? [];
        if (locations.Count > 0 &&
            await db.Locations.CountAsync(l => l.ClinicId == clinicId && locations.Contains(l.Id), cancellationToken) != locations.Count)
        {
            return Problems.Field("locationIds", "Every location must be one of this clinic's.");
        }

        if (UserId is { } userId)
        {
            var clinician = await db.ClinicMemberships.AnyAsync(
                m => m.ClinicId == clinicId && m.UserId == userId && (m.Role == ClinicRoles.Doctor || m.Role == ClinicRoles.Nurse),
                cancellationToken);
            if (!clinician)
            {
                return Problems.Field("userId", "The account must be a doctor or nurse of this clinic.");
            }

            if (await db.Practitioners.AnyAsync(p => p.ClinicId == clinicId && p.UserId == userId && p.Id != self, cancellationToken))
            {
                return Problems.Field("userId", "Another practitioner profile is linked to this account.");
            }
        }

        return null;
    }

    public void ApplyTo(Practitioner practitioner)
    {
        practitioner.Title = Title?.Trim();
        practitioner.Specialties = Specialties?.Distinct().ToList() ?? [];
        practitioner.Bio = Bio?.Trim();
        practitioner.LocationIds = LocationIds?.Distinct().ToList() ?? [];
        practitioner.UserId = UserId;
        practitioner.IsActive = IsActive ?? true;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,49}$")]
    private static partial Regex SpecialtyCode();
}

public sealed record PractitionerDto(
    Guid Id,
    Guid ClinicId,
    string DisplayName,
    string? Title,
    IReadOnlyList<string> Specialties,
    string LicenceNumber,
    string? Bio,
    IReadOnlyList<Guid> LocationIds,
    Guid? UserId,
    bool IsActive);

/// <summary>One weekly shift: a weekday, local start and end times, and where.</summary>
public sealed record WorkingHoursDto([property: Required] DayOfWeek Day, TimeOnly Starts, TimeOnly Ends, Guid LocationId)
{
    public static ValidationProblem? Validate(List<WorkingHoursDto> hours, IReadOnlyList<Guid> locations)
    {
        if (hours.Count > 50)
        {
            return Problems.Field("$", "Give at most 50 shifts.");
        }

        if (hours.IndexOf(null!) is var missing and >= 0)
        {
            return Problems.Field($"$[{missing}]", "Each shift must be an object, not null.");
        }

        if (hours.Any(h => h.Starts >= h.Ends))
        {
            return Problems.Field("starts", "Each shift must start before it ends, on the same day.");
        }

        if (hours.Any(h => !locations.Contains(h.LocationId)))
        {
            return Problems.Field("locationId", "Each shift must be at one of the practitioner's locations.");
        }

        var overlapping = hours.GroupBy(h => h.Day).Any(day =>
        {
            var ordered = day.OrderBy(h => h.Starts).ToList();
            return ordered.Zip(ordered.Skip(1)).Any(pair => pair.Second.Starts < pair.First.Ends);
        });
        return overlapping ? Problems.Field("starts", "Shifts on the same day must not overlap.") : null;
    }
}

public sealed record TimeOffRequest(DateTimeOffset StartsAt, DateTimeOffset EndsAt, [property: MaxLength(200)] string? Reason);

public sealed record TimeOffDto(Guid Id, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string? Reason);

/// <summary>The new absence, and the appointments already booked in it (to reschedule or cancel).</summary>
public sealed record TimeOffCreatedDto(TimeOffDto TimeOff, IReadOnlyList<Guid> AffectedAppointments);

public static class PractitionerMapping
{
    public static PractitionerDto ToDto(this Practitioner p) =>
        new(p.Id, p.ClinicId, p.DisplayName, p.Title, p.Specialties, p.LicenceNumber, p.Bio, p.LocationIds, p.UserId, p.IsActive);
}
