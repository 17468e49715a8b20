using Healthcare.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Core.Scheduling;

/// <summary>
/// "Active appointments": visits happening right now, i.e. checked in (waiting) or in progress. The metrics
/// gauge reads this per clinic; a partial index keeps it an index-only count.
/// </summary>
public static class ActiveAppointments
{
    public static Task<Dictionary<Guid, int>> CountByClinicAsync(HealthcareDbContext db, CancellationToken cancellationToken) =>
        db.Clinics.AsNoTracking()
            .Select(c => new
            {
                ClinicId = c.Id,
                Count = db.Appointments.Count(a => a.ClinicId == c.Id && (a.Status == AppointmentStatus.CheckedIn || a.Status == AppointmentStatus.InProgress)),
            })
            .ToDictionaryAsync(x => x.ClinicId, x => x.Count, cancellationToken);
}
