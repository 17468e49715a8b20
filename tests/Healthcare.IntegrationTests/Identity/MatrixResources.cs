using Healthcare.Core.Data;
using Healthcare.Core.Patients;

namespace Healthcare.IntegrationTests.Identity;

/// <summary>
/// How the authorization matrix makes a real resource for a route parameter, keyed by the collection segment
/// before the parameter. A factory gets the values made for earlier parameters of the same route.
/// </summary>
internal static class MatrixResources
{
    public delegate Task<Guid> Factory(HealthcareDbContext db, Guid clinicId, IReadOnlyDictionary<string, Guid> earlier);

    public static readonly IReadOnlyDictionary<string, Factory> Factories = new Dictionary<string, Factory>
    {
        ["patients"] = (db, clinicId, _) => PatientAsync(db, clinicId),
    };

    public static async Task<Guid> PatientAsync(HealthcareDbContext db, Guid clinicId)
    {
        var patient = new Patient
        {
            ClinicId = clinicId,
            GivenName = "Matrix",
            FamilyName = "Patient",
            Sex = "unknown",
            DateOfBirth = new DateOnly(1990, 1, 1),
        };
        patient.RefreshSearchName();
        db.Patients.Add(patient);
        await db.SaveChangesAsync();
        return patient.Id;
    }
}
