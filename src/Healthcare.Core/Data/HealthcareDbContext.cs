using Healthcare.Core.Audit;
using Healthcare.Core.Clinics;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Core.Data;

/// <summary>The system of record. Entity configurations live beside their entities.</summary>
public sealed class HealthcareDbContext(DbContextOptions<HealthcareDbContext> options) : DbContext(options)
{
    public DbSet<Clinic> Clinics => Set<Clinic>();

    public DbSet<User> Users => Set<User>();

    public DbSet<ClinicMembership> ClinicMemberships => Set<ClinicMembership>();

    public DbSet<Session> Sessions => Set<Session>();

    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    public DbSet<PasswordReset> PasswordResets => Set<PasswordReset>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<MfaRecoveryCode> MfaRecoveryCodes => Set<MfaRecoveryCode>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<Patients.Patient> Patients => Set<Patients.Patient>();

    public DbSet<Patients.EmergencyAccess> EmergencyAccessGrants => Set<Patients.EmergencyAccess>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<Platform.IdempotencyRecord> IdempotencyRecords => Set<Platform.IdempotencyRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(HealthcareDbContext).Assembly);
}
