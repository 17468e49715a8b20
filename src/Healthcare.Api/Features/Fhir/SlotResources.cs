using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Healthcare.Api.Features.Clinics;
using Healthcare.Api.Features.Scheduling;
using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Healthcare.Core.Fhir;
using Healthcare.Core.Identity;
using Healthcare.Core.Scheduling;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Slot = Hl7.Fhir.Model.Slot;

namespace Healthcare.Api.Features.Fhir;

/// <summary>
/// <c>GET /fhir/r4/Slot?schedule=Schedule/{practitionerId}&amp;start=ge...&amp;start=lt...</c>: the practitioner's free
/// slots, computed by the native availability (<see cref="AvailabilityApi"/>, same rules and cache), one per visit
/// type (<c>appointment-type</c>, or every active type of the clinic). A date in <c>start</c> is a day in the clinic's
/// time zone; an instant is an instant. At most <see cref="AvailabilityApi.MaxDays"/> days per search; pages follow
/// the start time.
/// </summary>
public static class SlotResources
{
    public const string Type = "Slot";

    /// <summary>The coding system of the native visit types: the code is the appointment type's id.</summary>
    public const string AppointmentTypeSystem = FhirMapping.AppointmentTypeSystem;

    public static readonly string[] SearchParameters = ["schedule", "start", "appointment-type", "status"];
    private const int MaxTypes = 20;

    public static async Task<IResult> Search(
        HttpContext http, FhirAccess access, HealthcareDbContext db, ClinicDirectory clinics, AppointmentTypeDirectory types, AvailabilityCache cache,
        TimeProvider clock, Auditor audit, CancellationToken cancellationToken)
    {
        if (FhirSearch.Check(http, SearchParameters, out var count) is { } invalid)
        {
            return invalid;
        }

        var reach = await access.ReachAsync(Type, 's', Permissions.ClinicRead, cancellationToken);
        if (reach.IsScopeMissing)
        {
            return Reach.ScopeRefusal(Type, 's');
        }

        var parameters = http.Request.Query;
        if (parameters["schedule"] is not { Count: 1 } schedule || !FhirSearch.TryReference(schedule[0] ?? "", SchedulingResources.ScheduleType, out var practitionerId))
        {
            return FhirResponses.Invalid("schedule", "Slot searches take one schedule: Schedule/{id} (the practitioner's id).");
        }

        var clinicId = await db.Practitioners.AsNoTracking().Where(p => p.Id == practitionerId && p.IsActive)
            .Select(p => (Guid?)p.ClinicId).SingleOrDefaultAsync(cancellationToken);
        if (clinicId is not { } clinic || !DirectoryResources.InReach(reach, clinic))
        {
            return FhirResponses.Resource(Searchset(http, [], null));
        }

        reach.Audit(audit, clinic, null);
        var zone = await AppointmentsApi.ZoneAsync(clinics, clinic, cancellationToken);
        var now = clock.GetUtcNow();
        var (from, to, problem) = Range(parameters["start"], zone, now);
        if (problem is not null)
        {
            return FhirResponses.Invalid("start", problem);
        }

        var first = DateOnly.FromDateTime(ClinicTime.Local(from, zone).DateTime);
        var last = DateOnly.FromDateTime(ClinicTime.Local(to.AddTicks(-1), zone).DateTime);
        if (to > from && last.DayNumber - first.DayNumber >= AvailabilityApi.MaxDays)
        {
            return FhirResponses.Invalid("start", $"Ask for at most {AvailabilityApi.MaxDays} days of slots at a time.");
        }

        var visitTypes = new List<AppointmentType>();
        if (parameters["appointment-type"] is { Count: > 0 } wanted)
        {
            foreach (var token in FhirSearch.Values(wanted))
            {
                var bar = token.IndexOf('|', StringComparison.Ordinal);
                if ((bar < 0 || token[..bar] == AppointmentTypeSystem) && Guid.TryParse(token[(bar + 1)..], out var typeId) &&
                    await types.GetActiveAsync(clinic, typeId, cancellationToken) is { } type)
                {
                    visitTypes.Add(type);
                }
            }
        }
        else
        {
            visitTypes = await db.AppointmentTypes.AsNoTracking().Where(t => t.ClinicId == clinic && t.IsActive)
                .OrderBy(t => t.Name).ThenBy(t => t.Id).Take(MaxTypes).ToListAsync(cancellationToken);
        }

        var free = parameters["status"] is not { Count: > 0 } statuses || FhirSearch.Values(statuses).Contains("free");
        var found = new List<(AppointmentType Type, SlotDto Slot)>();
        if (free && to > from)
        {
            foreach (var type in visitTypes)
            {
                var slots = await AvailabilityApi.SlotsAsync(db, cache, clock, zone, practitionerId, type, null, first, last, cancellationToken);
                found.AddRange(slots.Where(s => s.StartsAt >= from && s.StartsAt < to).Select(s => (type, s)));
            }
        }

        var ordered = found.OrderBy(f => f.Slot.StartsAt).ThenBy(f => f.Type.Name, StringComparer.Ordinal).ThenBy(f => f.Slot.LocationId).ToList();
        var page = ordered.Take(count).ToList();
        DateTimeOffset? nextAfter = null;
        if (ordered.Count > count)
        {
            // The page ends with every slot of its last start time, so that the next page can begin after that time.
            var lastStart = page[^1].Slot.StartsAt;
            page.AddRange(ordered.Skip(count).TakeWhile(f => f.Slot.StartsAt == lastStart));
            nextAfter = ordered.Count > page.Count ? lastStart : null;
        }

        var resources = page.Select(f => ToSlot(practitionerId, f.Type, f.Slot)).ToList();
        return FhirResponses.Resource(Searchset(http, resources, nextAfter is { } after ? NextQuery(http, after, to) : null));
    }

    /// <summary>
    /// A slot's id: the practitioner, the start (UTC, to the minute) and a digest of the visit type and location, as
    /// <c>{practitionerId:N}-{yyyyMMddHHmm}-{16 hex digits}</c> (62 characters); the same slot has the same id in every search.
    /// </summary>
    public static string SlotId(Guid practitionerId, Guid typeId, Guid locationId, DateTimeOffset startsAt)
    {
        var digest = SHA256.HashData(Encoding.ASCII.GetBytes($"{typeId:N}:{locationId:N}"));
        return $"{practitionerId:N}-{startsAt.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(digest, 0, 8)}";
    }

    public static Slot ToSlot(Guid practitionerId, AppointmentType type, SlotDto slot) => new()
    {
        Id = SlotId(practitionerId, type.Id, slot.LocationId, slot.StartsAt),
        Schedule = new ResourceReference($"{SchedulingResources.ScheduleType}/{practitionerId}"),
        Status = Slot.SlotStatus.Free,
        Start = slot.StartsAt.ToUniversalTime(),
        End = slot.EndsAt.ToUniversalTime(),
        AppointmentType = VisitType(type.Id, type.Name),
        Comment = $"At Location/{slot.LocationId}",
    };

    /// <summary>A native visit type as a concept of <see cref="AppointmentTypeSystem"/>.</summary>
    public static CodeableConcept VisitType(Guid typeId, string name) => new(AppointmentTypeSystem, typeId.ToString(), name, name);

    /// <summary>
    /// The instants <c>start</c> asks for, from (inclusive) and to (exclusive); by default a week from now. A date
    /// stands for the day in the clinic's zone.
    /// </summary>
    private static (DateTimeOffset From, DateTimeOffset To, string? Problem) Range(
        Microsoft.Extensions.Primitives.StringValues values, DateTimeZone zone, DateTimeOffset now)
    {
        DateTimeOffset? from = null, to = null;
        foreach (var value in values.Select(v => v ?? ""))
        {
            if (value.Length == 0 || !FhirSearch.TryParseDate(value, out var prefix, out var start, out var end))
            {
                return (now, now, "start takes a date or an instant with the prefix ge, gt, le, lt or eq, e.g. start=ge2027-01-04&start=lt2027-01-11.");
            }

            if (!value.Contains('T') && DateOnly.TryParseExact(char.IsLetter(value[0]) ? value[2..] : value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                if (day.Year is < 1900 or > 2200)
                {
                    return (now, now, "Use a date between the years 1900 and 2200.");
                }

                start = ClinicTime.StartOfDay(LocalDate.FromDateOnly(day), zone).ToDateTimeOffset();
                end = ClinicTime.StartOfDay(LocalDate.FromDateOnly(day).PlusDays(1), zone).ToDateTimeOffset();
            }

            (from, to) = prefix switch
            {
                "ge" => ((DateTimeOffset?)Later(from, start), to),
                "gt" => (Later(from, end), to),
                "le" => (from, (DateTimeOffset?)Earlier(to, end)),
                "lt" => (from, Earlier(to, start)),
                _ => (Later(from, start), Earlier(to, end)),
            };
        }

        var lower = from ?? now;
        var upper = to ?? lower.AddDays(7);
        return (lower, upper < lower ? lower : upper, null);
    }

    private static DateTimeOffset Later(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;

    private static DateTimeOffset Earlier(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x < b ? x : b;

    /// <summary>The next page's query: the same search, starting after the last start time of this page.</summary>
    private static string NextQuery(HttpContext http, DateTimeOffset after, DateTimeOffset to)
    {
        var query = http.Request.Query.Where(p => p.Key != "start")
            .SelectMany(p => p.Value.Select(v => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(v ?? "")}"))
            .Append($"start=gt{Uri.EscapeDataString(UtcText(after))}")
            .Append($"start=lt{Uri.EscapeDataString(UtcText(to))}");
        return string.Join('&', query);
    }

    private static string UtcText(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static Bundle Searchset(HttpContext http, List<Slot> slots, string? nextQuery)
    {
        var baseUrl = FhirSearch.BaseUrl(http);
        var self = http.Request.QueryString.HasValue ? $"{baseUrl}/{Type}{http.Request.QueryString.Value}" : $"{baseUrl}/{Type}";
        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Meta = new Meta { LastUpdated = DateTimeOffset.UtcNow } };
        bundle.Link.Add(new Bundle.LinkComponent { Relation = "self", Url = self });
        if (nextQuery is not null)
        {
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = $"{baseUrl}/{Type}?{nextQuery}" });
        }

        foreach (var slot in slots)
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = $"{baseUrl}/{Type}/{slot.Id}",
                Resource = slot,
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
            });
        }

        return bundle;
    }
}
