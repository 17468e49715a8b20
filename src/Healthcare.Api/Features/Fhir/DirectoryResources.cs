using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Fhir;

/// <summary>
/// The clinic's directory: Organization (the clinic), Location and Practitioner, readable by its staff and by the
/// patients it treats, as in the native API.
/// </summary>
public static class DirectoryResources
{
    public static async Task<IResult> ReadOrganization(string id, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken)
    {
        var reach = await access.ReachAsync("Organization", 'r', Permissions.ClinicRead, cancellationToken);
        if (reach.IsScopeMissing)
        {
            return Reach.ScopeRefusal("Organization", 'r');
        }

        var clinic = Guid.TryParse(id, out var clinicId) && InReach(reach, clinicId)
            ? await db.Clinics.AsNoTracking().SingleOrDefaultAsync(c => c.Id == clinicId, cancellationToken)
            : null;
        if (clinic is null)
        {
            return FhirResponses.NotFound("Organization");
        }

        reach.Audit(audit, clinic.Id, null);
        return FhirResponses.Resource(clinic.ToFhir());
    }

    public static async Task<IResult> ReadLocation(string id, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken)
    {
        var reach = await access.ReachAsync("Location", 'r', Permissions.ClinicRead, cancellationToken);
        if (reach.IsScopeMissing)
        {
            return Reach.ScopeRefusal("Location", 'r');
        }

        var location = Guid.TryParse(id, out var locationId)
            ? await db.Locations.AsNoTracking().SingleOrDefaultAsync(l => l.Id == locationId, cancellationToken)
            : null;
        if (location is null || !InReach(reach, location.ClinicId))
        {
            return FhirResponses.NotFound("Location");
        }

        reach.Audit(audit, location.ClinicId, null);
        return FhirResponses.Resource(location.ToFhir());
    }

    public static async Task<IResult> ReadPractitioner(string id, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken)
    {
        var reach = await access.ReachAsync("Practitioner", 'r', Permissions.ClinicRead, cancellationToken);
        if (reach.IsScopeMissing)
        {
            return Reach.ScopeRefusal("Practitioner", 'r');
        }

        var practitioner = Guid.TryParse(id, out var practitionerId)
            ? await db.Practitioners.AsNoTracking().SingleOrDefaultAsync(p => p.Id == practitionerId, cancellationToken)
            : null;
        if (practitioner is null || !InReach(reach, practitioner.ClinicId))
        {
            return FhirResponses.NotFound("Practitioner");
        }

        reach.Audit(audit, practitioner.ClinicId, null);
        return FhirResponses.Resource(practitioner.ToFhir());
    }

    // A clinic's directory is open to its staff and to the patients it treats.
    public static bool InReach(Reach reach, Guid clinicId) => reach.ReachesClinic(clinicId) || reach.OwnPatients.Values.Contains(clinicId);
}
