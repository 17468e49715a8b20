using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Identity;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.IntegrationTests.Security;

/// <summary>
/// Real resources of two clinics for generated requests to point at: one of each kind the route table
/// names (<see cref="MatrixResources"/>), the callers, and the ids by collection and by field name.
/// </summary>
internal sealed class FuzzWorld
{
    /// <summary>Route parameter and body field names, mapped to the collection whose ids they hold.</summary>
    private static readonly Dictionary<string, string> Aliases = new()
    {
        ["clinicId"] = "clinics",
        ["userId"] = "members",
        ["patientId"] = "patients",
        ["practitionerId"] = "practitioners",
        ["appointmentTypeId"] = "appointment-types",
        ["locationId"] = "locations",
        ["encounterId"] = "encounters",
        ["timeOffId"] = "time-off",
        ["appointmentId"] = "appointments",
    };

    private readonly Dictionary<string, List<Guid>> _ids = [];

    private FuzzWorld(HttpClient staff, HttpClient patient, Guid clinicId, Guid patientId)
    {
        Staff = staff;
        Patient = patient;
        ClinicId = clinicId;
        PatientId = patientId;
    }

    /// <summary>A platform administrator: allowed everywhere, so requests reach the handlers.</summary>
    public HttpClient Staff { get; }

    /// <summary>A patient with an account linked to their record in the first clinic (for /api/v1/me/...).</summary>
    public HttpClient Patient { get; }

    public Guid ClinicId { get; }

    public Guid PatientId { get; }

    /// <summary>Every real id made, of any kind.</summary>
    public Guid[] AllIds => [.. _ids.Values.SelectMany(v => v).Distinct()];

    /// <summary>Real ids for a route parameter or field (by its name or the collection before it), or none.</summary>
    public Guid[] IdsFor(string name, string? collection)
    {
        var key = Aliases.GetValueOrDefault(name) ?? (name is "id" ? collection : null);
        return key is not null && _ids.TryGetValue(key, out var ids) ? [.. ids] : [];
    }

    public static async Task<FuzzWorld> CreateAsync(ApiFactory api)
    {
        var clinics = new[] { await api.CreateClinicAsync("Fuzz"), await api.CreateClinicAsync("Fuzz other") };
        var admin = await api.CreateUserAsync(ClinicRoles.SuperAdmin);
        var patientAccount = await api.CreateUserAsync(ClinicRoles.Patient, clinics[0].Id);
        var patientId = await api.WithDbAsync(async db =>
        {
            var id = await MatrixResources.PatientAsync(db, clinics[0].Id);
            await db.Patients.Where(p => p.Id == id).ExecuteUpdateAsync(p => p.SetProperty(x => x.UserId, patientAccount.Id));
            return id;
        });
        var world = new FuzzWorld(await api.ClientForAsync(admin), await api.ClientForAsync(patientAccount), clinics[0].Id, patientId);
        world.Add("patients", patientId);
        foreach (var clinic in clinics)
        {
            world.Add("clinics", clinic.Id);
            world.Add("members", (await api.CreateUserAsync(ClinicRoles.Receptionist, clinic.Id)).Id);
            var patient = await api.WithDbAsync(db => MatrixResources.PatientAsync(db, clinic.Id));
            var practitioner = await api.WithDbAsync(db => MatrixResources.PractitionerAsync(db, clinic.Id));
            world.Add("patients", patient);
            world.Add("practitioners", practitioner);
            world.Add("appointments", await api.WithDbAsync(db => MatrixResources.AppointmentOfAsync(db, clinic.Id, clinic == clinics[0] ? patientId : patient)));
            var earlier = new Dictionary<string, Guid> { ["patientId"] = patient, ["id"] = practitioner };
            foreach (var (collection, factory) in MatrixResources.Factories)
            {
                world.Add(collection, await api.WithDbAsync(db => factory(db, clinic.Id, earlier)));
            }
        }

        return world;
    }

    private void Add(string collection, Guid id)
    {
        if (!_ids.TryGetValue(collection, out var list))
        {
            _ids[collection] = list = [];
        }

        list.Add(id);
    }
}
