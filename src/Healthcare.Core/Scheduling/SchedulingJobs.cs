using Healthcare.Core.Data;
using Healthcare.Core.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Core.Scheduling;

/// <summary>
/// Work derived from appointment rows, run by the worker every minute. Each step is idempotent: running it twice
/// (or on two workers) has the effect of running it once.
/// </summary>
public static class SchedulingJobs
{
    /// <summary>
    /// Queues the reminders that are due: for each booked appointment, the nearest clinic offset that has been
    /// reached, unless a reminder for that offset and start time was already queued. The mark and the outbox
    /// row commit together, so a reminder is neither lost nor doubled; cancelled appointments are skipped and a
    /// rescheduled one is reminded of its new time only.
    /// </summary>
    public static async Task<int> QueueDueRemindersAsync(HealthcareDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var clinics = await db.Clinics.AsNoTracking().Select(c => new { c.Id, c.Policy }).ToListAsync(cancellationToken);
        var queued = 0;
        foreach (var clinic in clinics.Where(c => c.Policy.ReminderOffsetsMinutes.Count > 0))
        {
            var offsets = clinic.Policy.ReminderOffsetsMinutes.Order().ToList();
            var horizon = now.AddMinutes(offsets[^1]);
            var upcoming = await db.Appointments.AsNoTracking()
                .Where(a => a.ClinicId == clinic.Id && a.Status == AppointmentStatus.Booked && a.StartsAt > now && a.StartsAt <= horizon)
                .Select(a => new { a.Id, a.StartsAt, a.PatientId })
                .ToListAsync(cancellationToken);
            foreach (var appointment in upcoming)
            {
                // The nearest offset already reached: a worker that was down does not send a stale day-before reminder.
                var offset = offsets.First(o => appointment.StartsAt.AddMinutes(-o) <= now);
                var exists = await db.AppointmentReminders.AnyAsync(
                    r => r.AppointmentId == appointment.Id && r.StartsAt == appointment.StartsAt && r.OffsetMinutes <= offset, cancellationToken);
                if (exists)
                {
                    continue;
                }

                db.AppointmentReminders.Add(new AppointmentReminder
                {
                    AppointmentId = appointment.Id,
                    OffsetMinutes = offset,
                    StartsAt = appointment.StartsAt,
                    CreatedAt = now,
                });
                db.OutboxMessages.Add(OutboxMessage.Create(OutboxKinds.AppointmentReminder, new
                {
                    AppointmentId = appointment.Id,
                    ClinicId = clinic.Id,
                    appointment.PatientId,
                    OffsetMinutes = offset,
                }));
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    queued++;
                }
                catch (DbUpdateException e) when (e.IsUniqueViolation())
                {
                    // Another worker queued it first.
                    db.ChangeTracker.Clear();
                }
            }
        }

        return queued;
    }

    /// <summary>Booked appointments not checked in by start plus the clinic's grace period become no-shows.</summary>
    public static async Task<int> MarkNoShowsAsync(HealthcareDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var clinics = await db.Clinics.AsNoTracking().Select(c => new { c.Id, c.Policy }).ToListAsync(cancellationToken);
        var marked = 0;
        foreach (var clinic in clinics)
        {
            var cutoff = now.AddMinutes(-clinic.Policy.NoShowGraceMinutes);
            var missed = await db.Appointments
                .Where(a => a.ClinicId == clinic.Id && a.Status == AppointmentStatus.Booked && a.StartsAt <= cutoff)
                .OrderBy(a => a.StartsAt)
                .Take(500)
                .ToListAsync(cancellationToken);
            foreach (var appointment in missed)
            {
                appointment.TryMoveTo(AppointmentStatus.NoShow, now);
            }

            marked += missed.Count;
            await db.SaveChangesAsync(cancellationToken);
        }

        return marked;
    }
}
