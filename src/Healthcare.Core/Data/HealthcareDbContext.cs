using Healthcare.Core.Audit;
using Healthcare.Core.Clinics;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Healthcare.Core.Practitioners;
using Healthcare.Core.Records;
using Healthcare.Core.Scheduling;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Core.Data;

/// <summary>The system of record. Entity configurations live beside their entities.</summary>
public sealed class HealthcareDbContext(DbContextOptions<HealthcareDbContext> options)
    : DbContext(options), Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.IDataProtectionKeyContext
{
    public DbSet<Clinic> Clinics => Set<Clinic>();

    public DbSet<User> Users => Set<User>();

    public DbSet<ClinicMembership> ClinicMemberships => Set<ClinicMembership>();

    public DbSet<Session> Sessions => Set<Session>();

    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    public DbSet<PasswordReset> PasswordResets => Set<PasswordReset>();

    public DbSet<EmailVerification> EmailVerifications => Set<EmailVerification>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<MfaRecoveryCode> MfaRecoveryCodes => Set<MfaRecoveryCode>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<Notification> Notifications => Set<Notification>();

    public DbSet<Patients.Patient> Patients => Set<Patients.Patient>();

    public DbSet<Patients.EmergencyAccess> EmergencyAccessGrants => Set<Patients.EmergencyAccess>();

    public DbSet<Patients.PatientLinkOffer> PatientLinkOffers => Set<Patients.PatientLinkOffer>();

    public DbSet<Location> Locations => Set<Location>();

    public DbSet<Practitioner> Practitioners => Set<Practitioner>();

    public DbSet<WorkingHours> WorkingHours => Set<WorkingHours>();

    public DbSet<TimeOff> TimeOff => Set<TimeOff>();

    public DbSet<AppointmentType> AppointmentTypes => Set<AppointmentType>();

    public DbSet<Appointment> Appointments => Set<Appointment>();

    public DbSet<AppointmentSeries> AppointmentSeries => Set<AppointmentSeries>();

    public DbSet<WaitlistEntry> WaitlistEntries => Set<WaitlistEntry>();

    public DbSet<AppointmentReminder> AppointmentReminders => Set<AppointmentReminder>();

    public DbSet<AppointmentExport> AppointmentExports => Set<AppointmentExport>();

    public DbSet<Encounter> Encounters => Set<Encounter>();

    public DbSet<ClinicalNote> ClinicalNotes => Set<ClinicalNote>();

    public DbSet<NoteAmendment> NoteAmendments => Set<NoteAmendment>();

    public DbSet<VitalSign> VitalSigns => Set<VitalSign>();

    public DbSet<Allergy> Allergies => Set<Allergy>();

    public DbSet<Medication> Medications => Set<Medication>();

    public DbSet<ProblemListItem> ProblemListItems => Set<ProblemListItem>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<Platform.IdempotencyRecord> IdempotencyRecords => Set<Platform.IdempotencyRecord>();

    public DbSet<Apps.ClinicApp> ClinicApps => Set<Apps.ClinicApp>();

    public DbSet<Apps.ClientAssertionUse> ClientAssertionUses => Set<Apps.ClientAssertionUse>();

    public DbSet<Fhir.BulkExport> BulkExports => Set<Fhir.BulkExport>();

    public DbSet<Fhir.BulkExportFile> BulkExportFiles => Set<Fhir.BulkExportFile>();

    /// <summary>The API's data-protection key ring (anti-forgery tokens), shared by every instance; keys are encrypted.</summary>
    public DbSet<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey> DataProtectionKeys =>
        Set<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey>();

    /// <summary>
    /// Instants are stored in UTC. Clients send times with any offset (2026-03-08T09:00:00-05:00); converting here
    /// covers entity writes and query parameters alike, where Npgsql would otherwise refuse a non-zero offset.
    /// </summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcConverter>();
    }

    private sealed class UtcConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, DateTimeOffset>(
        value => value.ToUniversalTime(), value => value);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(HealthcareDbContext).Assembly);
        Apps.OAuthTables.Configure(modelBuilder);
    }
}
