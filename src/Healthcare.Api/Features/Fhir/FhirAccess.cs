using Healthcare.Api.Features.Apps;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Fhir;

/// <summary>
/// What a FHIR request may reach, from the same memberships and permissions as the native API, narrowed by the
/// token's SMART scopes: the clinics where the caller's role grants the permission, and the caller's own patient
/// compartment (the patient records linked to their account). FHIR addresses resources without their clinic, so
/// the clinic is read from the resource and checked here; what is out of reach is not found, as in the native API.
/// </summary>
public sealed class FhirAccess(IHttpContextAccessor accessor, AuthStateCache state, AppStateCache apps, HealthcareDbContext db, CurrentUser caller)
{
    /// <summary>
    /// The reach for <paramref name="interaction"/> (<c>c r u d s</c>) on <paramref name="resourceType"/>, which the
    /// native API guards with <paramref name="permission"/>; <see cref="Reach.ScopeMissing"/> when the token's scopes
    /// do not grant it at all.
    /// </summary>
    public async Task<Reach> ReachAsync(string resourceType, char interaction, string permission, CancellationToken cancellationToken)
    {
        var http = accessor.HttpContext!;
        var patientOnly = false;
        if (SmartScopes.Of(http.User) is { } scopes && !scopes.Allows(resourceType, interaction, out patientOnly))
        {
            return Reach.ScopeMissing;
        }

        if (AppTokens.ClientIdOf(http.User) is not { } clientId)
        {
            return await UserReachAsync(permission, patientOnly, cancellationToken);
        }

        // A third-party app never reaches beyond the clinic it was registered for (a platform-wide app has none), and
        // an app launched for one patient never beyond that patient.
        var app = await apps.FindActiveAsync(clientId, cancellationToken);
        if (app is null)
        {
            return Reach.ScopeMissing;
        }

        // A backend service reads its clinic's data, never the audit trail of who read it.
        if (AppTokens.IsSystem(http.User))
        {
            var clinics = new Dictionary<Guid, string>();
            if (app.ClinicId is { } clinicId && permission != Permissions.AuditRead)
            {
                clinics[clinicId] = AppTokens.SystemRole;
            }

            return new Reach(app.ClinicId is null && permission != Permissions.AuditRead, clinics, new Dictionary<Guid, Guid>());
        }

        var launched = Guid.TryParse(http.User.FindFirst(AppTokens.PatientClaim)?.Value, out var patient) ? patient : (Guid?)null;
        return (await UserReachAsync(permission, patientOnly, cancellationToken)).Within(app.ClinicId, launched);
    }

    private async Task<Reach> UserReachAsync(string permission, bool patientOnly, CancellationToken cancellationToken)
    {
        var access = await state.GetAccessAsync(caller.Id, cancellationToken);
        var clinics = new Dictionary<Guid, string>();
        if (!patientOnly && !access.IsSuperAdmin)
        {
            foreach (var (clinicId, role) in access.Roles)
            {
                if (role != ClinicRoles.Patient && Permissions.Grants(role, permission) &&
                    (access.MfaEnabled || !await state.ClinicRequiresStaffMfaAsync(clinicId, cancellationToken)))
                {
                    clinics[clinicId] = role;
                }
            }
        }

        var own = new Dictionary<Guid, Guid>();
        if (access.Roles.ContainsValue(ClinicRoles.Patient))
        {
            var me = caller.Id;
            own = await db.Patients.AsNoTracking().Where(p => p.UserId == me)
                .ToDictionaryAsync(p => p.Id, p => p.ClinicId, cancellationToken);
        }

        return new Reach(access.IsSuperAdmin && !patientOnly, clinics, own);
    }
}

/// <summary>
/// The clinics a FHIR request reaches with the caller's role in each (all of them for a platform administrator),
/// and the patient records of the caller's own compartment with their clinics.
/// </summary>
public sealed record Reach(bool AllClinics, IReadOnlyDictionary<Guid, string> Clinics, IReadOnlyDictionary<Guid, Guid> OwnPatients)
{
    public static readonly Reach ScopeMissing = new(false, new Dictionary<Guid, string>(), new Dictionary<Guid, Guid>()) { IsScopeMissing = true };

    public bool IsScopeMissing { get; private init; }

    /// <summary>Whether a resource of <paramref name="clinicId"/> about <paramref name="patientId"/> is within reach.</summary>
    public bool Reaches(Guid clinicId, Guid? patientId) =>
        AllClinics || Clinics.ContainsKey(clinicId) || (patientId is { } id && OwnPatients.TryGetValue(id, out var clinic) && clinic == clinicId);

    /// <summary>Whether the caller reaches a clinic's own resources (staff, not only their own records).</summary>
    public bool ReachesClinic(Guid clinicId) => AllClinics || Clinics.ContainsKey(clinicId);

    /// <summary>The role recorded in the audit trail for an access to <paramref name="clinicId"/>.</summary>
    public string? RoleIn(Guid clinicId) =>
        AllClinics ? ClinicRoles.SuperAdmin : Clinics.TryGetValue(clinicId, out var role) ? role : OwnPatients.Values.Contains(clinicId) ? ClinicRoles.Patient : null;

    /// <summary>The answer to a token whose scopes do not grant the interaction.</summary>
    public static IResult ScopeRefusal(string resourceType, char interaction) => FhirResponses.Outcome(
        StatusCodes.Status403Forbidden, $"The token's SMART scopes do not grant '{interaction}' on {resourceType}.");

    /// <summary>
    /// This reach limited to <paramref name="clinicId"/> (when given) and, for the patient compartment, to the
    /// <paramref name="patientId"/> chosen at launch (when given).
    /// </summary>
    public Reach Within(Guid? clinicId, Guid? patientId)
    {
        bool InClinic(Guid clinic) => clinicId is null || clinic == clinicId;
        var clinics = Clinics.Where(c => InClinic(c.Key)).ToDictionary();
        if (AllClinics && clinicId is { } only)
        {
            clinics[only] = ClinicRoles.SuperAdmin;
        }

        var own = OwnPatients.Where(p => InClinic(p.Value) && (patientId is null || p.Key == patientId)).ToDictionary();
        return new Reach(AllClinics && clinicId is null, clinics, own);
    }

    /// <summary>Records the clinic and role of the access in the request's audit row.</summary>
    public void Audit(Auditor audit, Guid clinicId, Guid? patientId)
    {
        audit.ClinicId = clinicId;
        audit.PatientId = patientId;
        audit.Role = RoleIn(clinicId);
    }
}
