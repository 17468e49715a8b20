using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Scheduling;

/// <summary>
/// The mark that a reminder for an appointment, at one offset and for one start time, has been queued. Its key
/// makes a second reminder impossible; a rescheduled appointment has a new start time and so new reminders.
/// </summary>
public sealed class AppointmentReminder
{
    public Guid AppointmentId { get; init; }

    public int OffsetMinutes { get; init; }

    public DateTimeOffset StartsAt { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class AppointmentReminderConfiguration : IEntityTypeConfiguration<AppointmentReminder>
{
    public void Configure(EntityTypeBuilder<AppointmentReminder> builder)
    {
        builder.HasKey(r => new { r.AppointmentId, r.OffsetMinutes, r.StartsAt });
        builder.HasOne<Appointment>().WithMany().HasForeignKey(r => r.AppointmentId).OnDelete(DeleteBehavior.Cascade);
    }
}
