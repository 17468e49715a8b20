using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Healthcare.Core.Fhir;
using Healthcare.Core.Identity;
using Healthcare.Core.Records;
using Healthcare.Core.Security;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Fhir;

/// <summary>
/// <c>GET /fhir/r4/Patient/{id}/$everything</c>: the patient and every resource of their compartment the caller
/// reaches, in one searchset bundle. Each kind of data is included under its own permission and scopes, exactly as
/// its own search would return it (a receptionist gets the patient and the appointments, not the clinical record; a
/// patient their released notes only). At most <see cref="MaxPerType"/> resources of each type.
/// </summary>
public static class PatientEverything
{
    public const int MaxPerType = 1000;

    public static async Task<IResult> Everything(
        string id, HttpContext http, FhirAccess access, HealthcareDbContext db, FieldEncryption encryption, Auditor audit,
        CancellationToken cancellationToken)
    {
        var reach = await access.ReachAsync(PatientResources.Type, 'r', Permissions.PatientsRead, cancellationToken);
        if (reach.IsScopeMissing)
        {
            return Reach.ScopeRefusal(PatientResources.Type, 'r');
        }

        if (!Guid.TryParse(id, out var patientId))
        {
            return FhirResponses.NotFound(PatientResources.Type);
        }

        audit.PatientId = patientId;
        var patient = await db.Patients.AsNoTracking().SingleOrDefaultAsync(p => p.Id == patientId, cancellationToken);
        if (patient is null || !reach.Reaches(patient.ClinicId, patient.Id))
        {
            return FhirResponses.NotFound(PatientResources.Type);
        }

        reach.Audit(audit, patient.ClinicId, patient.Id);
        var resources = new List<Resource> { patient.ToFhir() };
        if (await ReachOf(access, AppointmentResources.Type, Permissions.AppointmentsRead, cancellationToken) is { } appointments &&
            appointments.Reaches(patient.ClinicId, patient.Id))
        {
            var rows = await db.Appointments.AsNoTracking().Where(a => a.PatientId == patientId && a.ClinicId == patient.ClinicId)
                .OrderBy(a => a.Id).Take(MaxPerType).ToListAsync(cancellationToken);
            resources.AddRange(rows.Select(a => (Resource)a.ToFhir()));
        }

        resources.AddRange(await RecordsAsync(access, db, EncounterResources.Type, EncounterResources.View, patientId, cancellationToken));
        resources.AddRange(await RecordsAsync(access, db, ObservationResources.Type, ObservationResources.View, patientId, cancellationToken));
        resources.AddRange(await RecordsAsync(access, db, AllergyIntoleranceResources.Type, AllergyIntoleranceResources.View, patientId, cancellationToken));
        resources.AddRange(await RecordsAsync(access, db, ConditionResources.Type, ConditionResources.View, patientId, cancellationToken));
        resources.AddRange(await RecordsAsync(access, db, MedicationStatementResources.Type, MedicationStatementResources.View, patientId, cancellationToken));
        resources.AddRange(await RecordsAsync(
            access, db, DocumentReferenceResources.Type, DocumentReferenceResources.View(encryption), patientId, cancellationToken));
        return FhirResponses.Resource(FhirSearch.Page(http, resources, resources.Count, r => r.Id ?? "", r => r));
    }

    // The reach for searching a type, or null when the token's scopes leave the type out.
    private static async Task<Reach?> ReachOf(FhirAccess access, string type, string permission, CancellationToken cancellationToken) =>
        await access.ReachAsync(type, 's', permission, cancellationToken) is { IsScopeMissing: false } reach ? reach : null;

    private static async Task<IEnumerable<Resource>> RecordsAsync<T>(
        FhirAccess access, HealthcareDbContext db, string type, RecordView<T> view, Guid patientId, CancellationToken cancellationToken)
        where T : class, IPatientRecord
    {
        if (await ReachOf(access, type, Permissions.RecordsRead, cancellationToken) is not { } reach)
        {
            return [];
        }

        var records = RecordResources.Within(db.Set<T>().AsNoTracking(), reach, view.SeenByPatient).Where(r => r.PatientId == patientId);
        var rows = await view.Shape(records.OrderBy(r => r.Id).Take(MaxPerType)).ToListAsync(cancellationToken);
        return rows.Where(r => reach.Reaches(r.ClinicId, r.PatientId)).Select(view.ToFhir);
    }
}
