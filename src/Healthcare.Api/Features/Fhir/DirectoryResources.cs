using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Healthcare.Core.Fhir;
using Healthcare.Core.Identity;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Fhir;

/// <summary>
/// The clinic's directory: Organization (the clinic), Location and Practitioner, readable by its staff and by the
/// patients it treats, as in the native API.
/// </summary>
public static class DirectoryResources
{
    public static Task<IResult> ReadOrganization(string id, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken) =>
        ReadAsync(
            "Organization", id, access, audit, clinicId => db.Clinics.AsNoTracking().SingleOrDefaultAsync(c => c.Id == clinicId, cancellationToken),
            c => c.Id, c => c.ToFhir(), cancellationToken);

    public static Task<IResult> ReadLocation(string id, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken) =>
        ReadAsync(
            "Location", id, access, audit, locationId => db.Locations.AsNoTracking().SingleOrDefaultAsync(l => l.Id == locationId, cancellationToken),
            l => l.ClinicId, l => l.ToFhir(), cancellationToken);

    public static Task<IResult> ReadPractitioner(string id, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken) =>
        ReadAsync(
            "Practitioner", id, access, audit, practitionerId => db.Practitioners.AsNoTracking().SingleOrDefaultAsync(p => p.Id == practitionerId, cancellationToken),
            p => p.ClinicId, p => p.ToFhir(), cancellationToken);

    /// <summary>
    /// One directory entry by id, as FHIR, when its clinic is within the caller's reach (a clinic's staff, or a patient
    /// it treats); otherwise not found. The access is audited with the entry's clinic.
    /// </summary>
    public static async Task<IResult> ReadAsync<T>(
        string type, string id, FhirAccess access, Auditor audit, Func<Guid, Task<T?>> load, Func<T, Guid> clinicOf, Func<T, Resource> toFhir,
        CancellationToken cancellationToken)
        where T : class
    {
        var reach = await access.ReachAsync(type, 'r', Permissions.ClinicRead, cancellationToken);
        if (reach.IsScopeMissing)
        {
            return Reach.ScopeRefusal(type, 'r');
        }

        var entry = Guid.TryParse(id, out var entryId) ? await load(entryId) : null;
        if (entry is null || !InReach(reach, clinicOf(entry)))
        {
            return FhirResponses.NotFound(type);
        }

        reach.Audit(audit, clinicOf(entry), null);
        return FhirResponses.Resource(toFhir(entry));
    }

    // A clinic's directory is open to its staff and to the patients it treats.
    public static bool InReach(Reach reach, Guid clinicId) => reach.ReachesClinic(clinicId) || reach.OwnPatients.Values.Contains(clinicId);
}
