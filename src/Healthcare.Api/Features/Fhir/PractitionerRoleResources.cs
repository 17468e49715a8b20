using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Healthcare.Core.Fhir;
using Healthcare.Core.Identity;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using PractitionerEntity = Healthcare.Core.Practitioners.Practitioner;

namespace Healthcare.Api.Features.Fhir;

/// <summary>
/// PractitionerRole: a practitioner's role in their clinic (one per practitioner, sharing its id): the clinic, the
/// locations they work at and their specialties; read and search by <c>practitioner</c> and <c>organization</c>,
/// for the clinic's staff and the patients it treats.
/// </summary>
public static class PractitionerRoleResources
{
    public const string Type = "PractitionerRole";
    public static readonly string[] SearchParameters = ["practitioner", "organization"];

    public static Task<IResult> Read(string id, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken) =>
        DirectoryResources.ReadAsync(
            Type, id, access, audit, practitionerId => db.Practitioners.AsNoTracking().SingleOrDefaultAsync(p => p.Id == practitionerId, cancellationToken),
            p => p.ClinicId, ToFhir, cancellationToken);

    public static async Task<IResult> Search(HttpContext http, FhirAccess access, HealthcareDbContext db, CancellationToken cancellationToken)
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

        var query = db.Practitioners.AsNoTracking();
        if (!reach.AllClinics)
        {
            var clinics = reach.Clinics.Keys.Concat(reach.OwnPatients.Values).Distinct().ToList();
            query = query.Where(p => clinics.Contains(p.ClinicId));
        }

        foreach (var (name, type) in new[] { ("practitioner", "Practitioner"), ("organization", "Organization") })
        {
            foreach (var value in http.Request.Query[name].Select(v => v ?? ""))
            {
                if (!FhirSearch.TryReference(value, type, out var target))
                {
                    return FhirResponses.Invalid(name, $"{name} takes a reference: {type}/{{id}} or the id.");
                }

                query = type == "Practitioner" ? query.Where(p => p.Id == target) : query.Where(p => p.ClinicId == target);
            }
        }

        if (FhirSearch.After(http) is { } after)
        {
            query = query.Where(p => p.Id.CompareTo(after) > 0);
        }

        var matches = await query.OrderBy(p => p.Id).Take(count + 1).ToListAsync(cancellationToken);
        return FhirResponses.Resource(FhirSearch.Page(http, matches, count, p => p.Id, p => ToFhir(p)));
    }

    public static PractitionerRole ToFhir(PractitionerEntity p) => new()
    {
        Id = p.Id.ToString(),
        Meta = new Meta { VersionId = p.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), LastUpdated = p.CreatedAt.ToUniversalTime() },
        Active = p.IsActive,
        Practitioner = FhirMapping.Reference("Practitioner", p.Id),
        Organization = FhirMapping.Reference("Organization", p.ClinicId),
        Location = [.. p.LocationIds.Select(l => FhirMapping.Reference("Location", l))],
        Specialty = [.. p.Specialties.Select(s => new CodeableConcept { Text = s.Replace('-', ' ') })],
    };
}
