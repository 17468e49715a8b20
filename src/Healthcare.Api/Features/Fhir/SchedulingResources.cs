using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using PractitionerEntity = Healthcare.Core.Practitioners.Practitioner;

namespace Healthcare.Api.Features.Fhir;

/// <summary>
/// Scheduling on the FHIR base: a Schedule per active practitioner (its id is the practitioner's), the free Slots of
/// a schedule from the native availability, and booking and cancelling Appointments through the native booking.
/// The schedule and its slots are part of the clinic's directory: its staff and the patients it treats read them.
/// </summary>
public static class SchedulingResources
{
    public const string ScheduleType = "Schedule";
    public static readonly string[] ScheduleParameters = ["_id", "actor"];

    public static RouteGroupBuilder MapFhirScheduling(this RouteGroupBuilder api)
    {
        api.MapGet("/Schedule/{id}", ReadSchedule)
            .Fhir(ScheduleType, "read").Audited(AuditActions.Read, "FhirSchedule").WithName("FhirReadSchedule");
        api.MapGet("/Schedule", SearchSchedules)
            .Fhir(ScheduleType, "search-type", ScheduleParameters).Audited(AuditActions.Read, "FhirScheduleSearch").WithName("FhirSearchSchedule");
        api.MapGet("/Slot", SlotResources.Search)
            .Fhir(SlotResources.Type, "search-type", SlotResources.SearchParameters).Audited(AuditActions.Read, "FhirSlotSearch").WithName("FhirSearchSlot");
        api.MapPost("/Appointment", AppointmentWrites.Create)
            .Fhir(AppointmentResources.Type, "create").Audited(AuditActions.Create, "FhirAppointment").Idempotent().WithName("FhirCreateAppointment");
        api.MapPut("/Appointment/{id}", AppointmentWrites.Update)
            .Fhir(AppointmentResources.Type, "update").Audited(AuditActions.Update, "FhirAppointment").WithName("FhirUpdateAppointment");
        return api;
    }

    public static Task<IResult> ReadSchedule(string id, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken) =>
        DirectoryResources.ReadAsync(
            ScheduleType, id, access, audit,
            practitionerId => db.Practitioners.AsNoTracking().SingleOrDefaultAsync(p => p.Id == practitionerId && p.IsActive, cancellationToken),
            p => p.ClinicId, ToSchedule, cancellationToken);

    public static async Task<IResult> SearchSchedules(HttpContext http, FhirAccess access, HealthcareDbContext db, CancellationToken cancellationToken)
    {
        if (FhirSearch.Check(http, ScheduleParameters, out var count) is { } invalid)
        {
            return invalid;
        }

        var reach = await access.ReachAsync(ScheduleType, 's', Permissions.ClinicRead, cancellationToken);
        if (reach.IsScopeMissing)
        {
            return Reach.ScopeRefusal(ScheduleType, 's');
        }

        var query = db.Practitioners.AsNoTracking().Where(p => p.IsActive);
        if (!reach.AllClinics)
        {
            var clinics = reach.Clinics.Keys.Concat(reach.OwnPatients.Values).Distinct().ToList();
            query = query.Where(p => clinics.Contains(p.ClinicId));
        }

        if (http.Request.Query["_id"] is { Count: > 0 } ids)
        {
            var wanted = FhirSearch.Values(ids).Select(v => Guid.TryParse(v, out var g) ? g : Guid.Empty).ToList();
            query = query.Where(p => wanted.Contains(p.Id));
        }

        foreach (var value in http.Request.Query["actor"].Select(v => v ?? ""))
        {
            if (!FhirSearch.TryReference(value, "Practitioner", out var practitionerId))
            {
                return FhirResponses.Invalid("actor", "actor takes a reference: Practitioner/{id} or the id.");
            }

            query = query.Where(p => p.Id == practitionerId);
        }

        if (FhirSearch.After(http) is { } after)
        {
            query = query.Where(p => p.Id.CompareTo(after) > 0);
        }

        var matches = await query.OrderBy(p => p.Id).Take(count + 1).ToListAsync(cancellationToken);
        return FhirResponses.Resource(FhirSearch.Page(http, matches, count, p => p.Id, p => ToSchedule(p)));
    }

    /// <summary>The practitioner's schedule: always active while the practitioner is, its slots those of the native availability.</summary>
    public static Schedule ToSchedule(PractitionerEntity p) => new()
    {
        Id = p.Id.ToString(),
        Meta = new Meta
        {
            VersionId = p.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            LastUpdated = p.CreatedAt.ToUniversalTime(),
        },
        Active = true,
        Actor = [new ResourceReference($"Practitioner/{p.Id}", p.DisplayName)],
        Comment = "Free slots are computed from the practitioner's working hours, absences and bookings.",
    };
}
