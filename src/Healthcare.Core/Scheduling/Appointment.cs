using Healthcare.Core.Clinics;
using Healthcare.Core.Patients;
using Healthcare.Core.Practitioners;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Scheduling;

/// <summary>
/// A booked visit and its life cycle. PostgreSQL refuses overlapping active appointments of one practitioner
/// (including the buffer after each) and of one patient, so concurrent bookings of a slot cannot both win.
/// </summary>
public sealed class Appointment
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid ClinicId { get; init; }

    public Guid PractitionerId { get; init; }

    public Guid PatientId { get; init; }

    public Guid AppointmentTypeId { get; init; }

    public Guid? LocationId { get; set; }

    public required string Mode { get; init; }

    public DateTimeOffset StartsAt { get; private set; }

    public DateTimeOffset EndsAt { get; private set; }

    /// <summary>End plus the type's buffer: the practitioner is not bookable again before this.</summary>
    public DateTimeOffset BlockedUntil { get; private set; }

    public string Status { get; private set; } = AppointmentStatus.Booked;

    public Guid? SeriesId { get; init; }

    /// <summary>For a waitlist offer (status held): when the hold lapses and the slot goes to the next patient.</summary>
    public DateTimeOffset? HoldExpiresAt { get; private set; }

    public Guid? BookedByUserId { get; init; }

    public DateTimeOffset? CheckedInAt { get; private set; }

    public DateTimeOffset? StartedAt { get; private set; }

    public DateTimeOffset? CompletedAt { get; private set; }

    public DateTimeOffset? CancelledAt { get; private set; }

    public Guid? CancelledByUserId { get; private set; }

    public string? CancellationReason { get; private set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    public static Appointment Book(
        Guid clinicId, Guid practitionerId, Guid patientId, AppointmentType type, Guid? locationId, DateTimeOffset startsAt,
        Guid? bookedBy, DateTimeOffset now, Guid? seriesId = null)
    {
        var appointment = new Appointment
        {
            ClinicId = clinicId,
            PractitionerId = practitionerId,
            PatientId = patientId,
            AppointmentTypeId = type.Id,
            LocationId = locationId,
            Mode = type.Mode,
            SeriesId = seriesId,
            BookedByUserId = bookedBy,
            CreatedAt = now,
        };
        appointment.SetTimes(startsAt, type);
        appointment.UpdatedAt = now;
        return appointment;
    }

    /// <summary>A slot held for a waitlisted patient until <paramref name="holdUntil"/>.</summary>
    public static Appointment Hold(
        Guid clinicId, Guid practitionerId, Guid patientId, AppointmentType type, Guid? locationId, DateTimeOffset startsAt,
        DateTimeOffset holdUntil, DateTimeOffset now)
    {
        var appointment = Book(clinicId, practitionerId, patientId, type, locationId, startsAt, null, now);
        appointment.Status = AppointmentStatus.Held;
        appointment.HoldExpiresAt = holdUntil;
        return appointment;
    }

    public bool CanMoveTo(string next) => AppointmentStatus.Allowed(Status, next);

    /// <summary>Moves to <paramref name="next"/> if the state machine allows it; false (and no change) otherwise.</summary>
    public bool TryMoveTo(string next, DateTimeOffset now, Guid? by = null, string? reason = null)
    {
        if (!CanMoveTo(next))
        {
            return false;
        }

        Status = next;
        UpdatedAt = now;
        switch (next)
        {
            case AppointmentStatus.CheckedIn:
                CheckedInAt = now;
                break;
            case AppointmentStatus.InProgress:
                StartedAt = now;
                break;
            case AppointmentStatus.Completed:
                CompletedAt = now;
                break;
            case AppointmentStatus.Cancelled:
                CancelledAt = now;
                CancelledByUserId = by;
                CancellationReason = reason;
                break;
        }

        if (next != AppointmentStatus.Held)
        {
            HoldExpiresAt = null;
        }

        return true;
    }

    /// <summary>Moves a booked appointment to a new start (same type); the caller saves and the database checks overlaps.</summary>
    public bool TryReschedule(DateTimeOffset startsAt, AppointmentType type, Guid? locationId, DateTimeOffset now)
    {
        if (Status != AppointmentStatus.Booked)
        {
            return false;
        }

        SetTimes(startsAt, type);
        LocationId = locationId;
        UpdatedAt = now;
        return true;
    }

    private void SetTimes(DateTimeOffset startsAt, AppointmentType type)
    {
        StartsAt = startsAt.ToUniversalTime();
        EndsAt = StartsAt.AddMinutes(type.DurationMinutes);
        BlockedUntil = EndsAt.AddMinutes(type.BufferMinutes);
    }
}

/// <summary>The appointment state machine.</summary>
public static class AppointmentStatus
{
    public const string Held = "held";
    public const string Booked = "booked";
    public const string CheckedIn = "checked_in";
    public const string InProgress = "in_progress";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string NoShow = "no_show";
    public const string Expired = "expired";

    public static readonly IReadOnlyList<string> All = [Held, Booked, CheckedIn, InProgress, Completed, Cancelled, NoShow, Expired];

    /// <summary>States that occupy the practitioner's (and patient's) time.</summary>
    public static readonly IReadOnlyList<string> Active = [Held, Booked, CheckedIn, InProgress];

    private static readonly Dictionary<string, string[]> Transitions = new()
    {
        [Held] = [Booked, Cancelled, Expired],
        [Booked] = [CheckedIn, Cancelled, NoShow],
        [CheckedIn] = [InProgress, Cancelled],
        [InProgress] = [Completed],
    };

    public static bool Allowed(string from, string to) => Transitions.TryGetValue(from, out var next) && next.Contains(to);

    /// <summary>SQL list for constraints and filters: ('held', 'booked', ...).</summary>
    internal static string SqlList(IEnumerable<string> states) => $"({string.Join(", ", states.Select(s => $"'{s}'"))})";
}

internal sealed class AppointmentConfiguration : IEntityTypeConfiguration<Appointment>
{
    public void Configure(EntityTypeBuilder<Appointment> builder)
    {
        builder.Property(a => a.Mode).HasMaxLength(16);
        builder.Property(a => a.Status).HasMaxLength(16);
        builder.Property(a => a.CancellationReason).HasMaxLength(500);
        builder.Property(a => a.Version).IsRowVersion();
        builder.HasOne<Clinic>().WithMany().HasForeignKey(a => a.ClinicId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Practitioner>().WithMany().HasForeignKey(a => a.PractitionerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Patient>().WithMany().HasForeignKey(a => a.PatientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<AppointmentType>().WithMany().HasForeignKey(a => a.AppointmentTypeId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Location>().WithMany().HasForeignKey(a => a.LocationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<AppointmentSeries>().WithMany().HasForeignKey(a => a.SeriesId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(a => new { a.ClinicId, a.StartsAt });
        // A clinic's rows in id order, read in batches by a FHIR bulk export (Fhir/BulkExportBuilder).
        builder.HasIndex(a => new { a.ClinicId, a.Id });
        builder.HasIndex(a => new { a.PractitionerId, a.StartsAt });
        builder.HasIndex(a => new { a.PatientId, a.StartsAt });
        builder.HasIndex(a => a.SeriesId).HasFilter("series_id IS NOT NULL");
        // The active-appointments gauge: checked in or in progress, per clinic.
        builder.HasIndex(a => a.ClinicId).HasFilter($"status IN ('{AppointmentStatus.CheckedIn}', '{AppointmentStatus.InProgress}')")
            .HasDatabaseName("ix_appointments_active_now");
        // Waitlist holds that lapsed: every booking (for its practitioner) and the sweep look for them, and there are few.
        builder.HasIndex(a => new { a.HoldExpiresAt, a.PractitionerId }).HasFilter($"status = '{AppointmentStatus.Held}'")
            .HasDatabaseName("ix_appointments_held");
        builder.ToTable(t =>
        {
            t.HasCheckConstraint("ck_appointments_status", $"status IN {AppointmentStatus.SqlList(AppointmentStatus.All)}");
            t.HasCheckConstraint("ck_appointments_times", "starts_at < ends_at AND ends_at <= blocked_until");
            t.HasCheckConstraint("ck_appointments_hold", "(status = 'held') = (hold_expires_at IS NOT NULL)");
        });
    }
}
