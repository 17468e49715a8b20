using Healthcare.Core.Data;
using Healthcare.Core.Messaging;
using Healthcare.Core.Scheduling;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.IntegrationTests.Scheduling;

/// <summary>The worker's row-derived scheduling jobs, run against the real database with a chosen "now".</summary>
public sealed class SchedulingJobsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task EachReminderIsQueuedOnceAtItsOffsetAndNeverForACancelledOrMovedTime()
    {
        var setup = await ClinicSetup.CreateAsync(api, patients: 3);
        var now = DateTimeOffset.UtcNow;
        var soon = await BookAsync(setup, 0, now.AddMinutes(100));
        var tomorrow = await BookAsync(setup, 1, now.AddHours(25));
        var cancelled = await BookAsync(setup, 2, now.AddMinutes(60));
        await api.WithDbAsync(async db =>
        {
            var appointment = await db.Appointments.SingleAsync(a => a.Id == cancelled);
            appointment.TryMoveTo(AppointmentStatus.Cancelled, now, null, "test");
            return await db.SaveChangesAsync();
        });

        var first = await RunRemindersAsync(now);
        var again = await RunRemindersAsync(now.AddMinutes(1));
        var dayBefore = await RunRemindersAsync(now.AddHours(1.5));

        Assert.Equal(1, first);
        Assert.Equal(0, again);
        Assert.Equal(1, dayBefore);
        var marks = await api.WithDbAsync(db => db.AppointmentReminders.Where(r => r.AppointmentId == soon || r.AppointmentId == tomorrow || r.AppointmentId == cancelled).ToListAsync());
        Assert.Equal([(soon, 120), (tomorrow, 1440)], marks.OrderBy(m => m.CreatedAt).Select(m => (m.AppointmentId, m.OffsetMinutes)));
        Assert.Equal(2, (await ClinicSetup.OutboxAsync(api, OutboxKinds.AppointmentReminder, soon)).Count + (await ClinicSetup.OutboxAsync(api, OutboxKinds.AppointmentReminder, tomorrow)).Count);

        // Moved to a new time: the new time is reminded, the old one is not reminded again.
        await api.WithDbAsync(async db =>
        {
            var appointment = await db.Appointments.SingleAsync(a => a.Id == soon);
            var type = await db.AppointmentTypes.SingleAsync(t => t.Id == appointment.AppointmentTypeId);
            appointment.TryReschedule(now.AddMinutes(110), type, appointment.LocationId, now);
            return await db.SaveChangesAsync();
        });
        Assert.Equal(1, await RunRemindersAsync(now.AddMinutes(2)));
        Assert.Equal(2, (await ClinicSetup.OutboxAsync(api, OutboxKinds.AppointmentReminder, soon)).Count);
    }

    [Fact]
    public async Task BookedAppointmentsPastTheGracePeriodBecomeNoShows()
    {
        var setup = await ClinicSetup.CreateAsync(api, patients: 2);
        var now = DateTimeOffset.UtcNow;
        var missed = await BookAsync(setup, 0, now.AddMinutes(-60));
        var late = await BookAsync(setup, 1, now.AddMinutes(-10));

        await api.WithDbAsync(db => SchedulingJobs.MarkNoShowsAsync(db, now, CancellationToken.None));

        var states = await api.WithDbAsync(db => db.Appointments.Where(a => a.Id == missed || a.Id == late).ToDictionaryAsync(a => a.Id, a => a.Status));
        Assert.Equal(AppointmentStatus.NoShow, states[missed]);
        Assert.Equal(AppointmentStatus.Booked, states[late]);
    }

    private Task<int> RunRemindersAsync(DateTimeOffset now) =>
        api.WithDbAsync(db => SchedulingJobs.QueueDueRemindersAsync(db, now, CancellationToken.None));

    private Task<Guid> BookAsync(ClinicSetup setup, int patient, DateTimeOffset startsAt) => api.WithDbAsync(async (HealthcareDbContext db) =>
    {
        var type = await db.AppointmentTypes.SingleAsync(t => t.Id == setup.TypeId);
        var appointment = Appointment.Book(setup.ClinicId, setup.PractitionerId, setup.PatientIds[patient], type, setup.LocationId, startsAt, null, startsAt.AddDays(-3));
        db.Appointments.Add(appointment);
        await db.SaveChangesAsync();
        return appointment.Id;
    });
}
