using Healthcare.Core.Data;
using Healthcare.Core.Messaging;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Healthcare.Core.Scheduling;

/// <summary>
/// Offers freed slots to waiting patients, first come first served: the slot is held for the patient (a held
/// appointment, which blocks it like a booking) and they are notified through the outbox. A hold that lapses
/// frees the slot again for the next patient. Callers save inside their own transaction.
/// </summary>
public static class WaitlistOffers
{
    private const int Candidates = 20;

    /// <summary>Offers the time of <paramref name="freed"/> to the first waiting patient it suits; returns the hold, if any.</summary>
    public static async Task<Appointment?> OfferFreedSlotAsync(
        HealthcareDbContext db, Appointment freed, DateTimeOffset now, CancellationToken cancellationToken, Guid? skipPatient = null)
    {
        if (freed.StartsAt <= now)
        {
            return null;
        }

        // Most freed times have nobody waiting for their practitioner: one look before reading the clinic.
        if (!await db.WaitlistEntries.AnyAsync(w => w.PractitionerId == freed.PractitionerId && w.Status == WaitlistStatus.Waiting, cancellationToken))
        {
            return null;
        }

        var clinic = await db.Clinics.AsNoTracking().SingleAsync(c => c.Id == freed.ClinicId, cancellationToken);
        var day = Instant.FromDateTimeOffset(freed.StartsAt).InZone(ClinicTime.Zone(clinic.TimeZone)).Date.ToDateOnly();
        var waiting = await db.WaitlistEntries
            .Where(w => w.PractitionerId == freed.PractitionerId && w.Status == WaitlistStatus.Waiting &&
                w.FromDate <= day && w.ToDate >= day && w.PatientId != freed.PatientId && w.PatientId != skipPatient)
            .OrderBy(w => w.CreatedAt).ThenBy(w => w.Id)
            .Take(Candidates)
            .ToListAsync(cancellationToken);
        var holdUntil = Min(now.AddMinutes(clinic.Policy.WaitlistHoldMinutes), freed.StartsAt);
        foreach (var entry in waiting)
        {
            var type = await db.AppointmentTypes.AsNoTracking().SingleAsync(t => t.Id == entry.AppointmentTypeId, cancellationToken);
            var hold = Appointment.Hold(
                freed.ClinicId, freed.PractitionerId, entry.PatientId, type, freed.LocationId, freed.StartsAt, holdUntil, now);
            entry.Status = WaitlistStatus.Offered;
            entry.OfferedAppointmentId = hold.Id;
            entry.UpdatedAt = now;
            var message = OutboxMessage.Create(OutboxKinds.WaitlistOffer, new
            {
                AppointmentId = hold.Id,
                WaitlistEntryId = entry.Id,
                hold.ClinicId,
                hold.PatientId,
                HoldExpiresAt = holdUntil,
            });
            db.Appointments.Add(hold);
            db.OutboxMessages.Add(message);
            if (await TrySaveAsync(db, cancellationToken))
            {
                return hold;
            }

            // Another booking took part of the time, or the patient is busy then: try the next patient.
            db.Entry(hold).State = EntityState.Detached;
            db.Entry(message).State = EntityState.Detached;
            await db.Entry(entry).ReloadAsync(cancellationToken);
        }

        return null;
    }

    /// <summary>Expires lapsed holds (optionally of one practitioner) and offers each freed slot to the next patient.</summary>
    public static async Task<int> ExpireHoldsAsync(HealthcareDbContext db, DateTimeOffset now, CancellationToken cancellationToken, Guid? practitionerId = null)
    {
        var lapsed = await db.Appointments
            .Where(a => a.Status == AppointmentStatus.Held && a.HoldExpiresAt <= now && (practitionerId == null || a.PractitionerId == practitionerId))
            .OrderBy(a => a.HoldExpiresAt)
            .Take(100)
            .ToListAsync(cancellationToken);
        foreach (var hold in lapsed)
        {
            hold.TryMoveTo(AppointmentStatus.Expired, now);
            // The patient stays on the waitlist for later slots; this one goes to the next in line.
            await db.WaitlistEntries.Where(w => w.OfferedAppointmentId == hold.Id && w.Status == WaitlistStatus.Offered)
                .ExecuteUpdateAsync(w => w.SetProperty(x => x.Status, WaitlistStatus.Waiting).SetProperty(x => x.UpdatedAt, now), cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await OfferFreedSlotAsync(db, hold, now, cancellationToken, skipPatient: hold.PatientId);
        }

        return lapsed.Count;
    }

    /// <summary>Saves; false when PostgreSQL refused an overlapping appointment (the change is then not applied).</summary>
    public static async Task<bool> TrySaveAsync(HealthcareDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            // Inside a caller's transaction EF Core saves behind a savepoint, so a refusal leaves the transaction usable.
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e) when (e.ExclusionConstraint() is not null)
        {
            return false;
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
