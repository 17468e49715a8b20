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
        db.Appointments.AsNoTracking()
            .Where(a => a.Status == AppointmentStatus.CheckedIn || a.Status == AppointmentStatus.InProgress)
            .GroupBy(a => a.ClinicId)
            .Select(g => new { ClinicId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.ClinicId, x => x.Count, cancellationToken);
}
