using System.Net;
using System.Net.Http.Json;
using Healthcare.Api.Features.Identity;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Healthcare.Core.Scheduling;
using Healthcare.IntegrationTests.Scheduling;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.IntegrationTests.Worker;

/// <summary>A patient's own preferences decide whether reminders go out, and by which channel.</summary>
public sealed class NotificationPreferencesTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task APatientWhoOptsOutGetsNoRemindersButStillGetsConfirmationsAndMayPreferText()
    {
        var setup = await ClinicSetup.CreateAsync(api, patients: 1);
        var account = await api.CreateUserAsync(ClinicRoles.Patient, setup.ClinicId);
        await api.WithDbAsync(db => db.Patients.Where(p => p.Id == setup.PatientIds[0]).ExecuteUpdateAsync(p => p
            .SetProperty(x => x.UserId, account.Id).SetProperty(x => x.Email, "pat0@tests.healthcare.test").SetProperty(x => x.Phone, "+12125550199")));
        var patient = await api.ClientForAsync(account);

        var invalid = await patient.PutAsJsonAsync("/api/v1/me/notification-preferences", new { channel = "pigeon", remindersOptOut = true });
        var saved = await patient.PutAsJsonAsync("/api/v1/me/notification-preferences", new { channel = "sms", remindersOptOut = true });
        var read = await patient.GetFromJsonAsync<NotificationPreferencesDto>("/api/v1/me/notification-preferences");

        await ProblemAssert.FieldAsync(invalid, HttpStatusCode.BadRequest, "channel");
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal(new NotificationPreferencesDto("sms", true), read);

        var appointmentId = await api.WithDbAsync(async db =>
        {
            var type = await db.AppointmentTypes.SingleAsync(t => t.Id == setup.TypeId);
            var appointment = Appointment.Book(setup.ClinicId, setup.PractitionerId, setup.PatientIds[0], type, null, DateTimeOffset.UtcNow.AddHours(3), null, DateTimeOffset.UtcNow);
            db.Appointments.Add(appointment);
            await db.SaveChangesAsync();
            return appointment.Id;
        });
        var reminder = OutboxMessage.Create(OutboxKinds.AppointmentReminder, new { AppointmentId = appointmentId, OffsetMinutes = 120 });
        var booked = OutboxMessage.Create(OutboxKinds.AppointmentBooked, new { AppointmentId = appointmentId });

        var (remind, confirm, confirmWithoutSms) = await api.WithDbAsync(async db => (
            await new NotificationComposer(db, "https://app.test", smsEnabled: true).ComposeAsync(reminder, DateTimeOffset.UtcNow, CancellationToken.None),
            await new NotificationComposer(db, "https://app.test", smsEnabled: true).ComposeAsync(booked, DateTimeOffset.UtcNow, CancellationToken.None),
            await new NotificationComposer(db, "https://app.test", smsEnabled: false).ComposeAsync(booked, DateTimeOffset.UtcNow, CancellationToken.None)));

        Assert.Null(remind);
        Assert.Equal((NotificationChannels.Sms, "+12125550199"), (confirm!.Channel, confirm.Recipient));
        Assert.Equal((NotificationChannels.Email, "pat0@tests.healthcare.test"), (confirmWithoutSms!.Channel, confirmWithoutSms.Recipient));
    }
}
