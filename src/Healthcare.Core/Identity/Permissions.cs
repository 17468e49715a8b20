namespace Healthcare.Core.Identity;

/// <summary>
/// What each clinic role may do. Endpoints name one permission on their group; a caller holds it in a clinic
/// when their role there grants it. The platform's super_admin holds every permission in every clinic.
/// docs/security/roles.md shows this table; a test keeps the two in step.
/// </summary>
public static class Permissions
{
    public const string ClinicRead = "clinic:read";
    public const string ClinicManage = "clinic:manage";
    public const string MembersRead = "members:read";
    public const string MembersManage = "members:manage";
    public const string AuditRead = "audit:read";
    public const string PatientsRead = "patients:read";
    public const string PatientsWrite = "patients:write";
    public const string RecordsRead = "records:read";
    public const string RecordsWrite = "records:write";
    public const string RecordsPrescribe = "records:prescribe";
    public const string AppointmentsRead = "appointments:read";
    public const string AppointmentsManage = "appointments:manage";
    public const string ExportsCreate = "exports:create";
    public const string BreakGlass = "break-glass";

    public static readonly IReadOnlyList<string> All =
    [
        ClinicRead, ClinicManage, MembersRead, MembersManage, AuditRead, PatientsRead, PatientsWrite,
        RecordsRead, RecordsWrite, RecordsPrescribe, AppointmentsRead, AppointmentsManage, ExportsCreate, BreakGlass,
    ];

    /// <summary>Role to permissions. A patient's access to their own data is decided per record, not here.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> ByRole = new Dictionary<string, IReadOnlySet<string>>
    {
        [ClinicRoles.ClinicAdmin] = new HashSet<string>
        {
            ClinicRead, ClinicManage, MembersRead, MembersManage, AuditRead, PatientsRead, PatientsWrite,
            AppointmentsRead, AppointmentsManage, ExportsCreate,
        },
        [ClinicRoles.Doctor] = new HashSet<string>
        {
            ClinicRead, MembersRead, PatientsRead, PatientsWrite, RecordsRead, RecordsWrite, RecordsPrescribe,
            AppointmentsRead, AppointmentsManage, BreakGlass,
        },
        [ClinicRoles.Nurse] = new HashSet<string>
        {
            ClinicRead, MembersRead, PatientsRead, PatientsWrite, RecordsRead, RecordsWrite, AppointmentsRead,
            AppointmentsManage, BreakGlass,
        },
        [ClinicRoles.Receptionist] = new HashSet<string>
        {
            ClinicRead, MembersRead, PatientsRead, PatientsWrite, AppointmentsRead, AppointmentsManage,
        },
        [ClinicRoles.Patient] = new HashSet<string> { ClinicRead },
    };

    public static bool Grants(string role, string permission) =>
        ByRole.TryGetValue(role, out var granted) && granted.Contains(permission);
}
