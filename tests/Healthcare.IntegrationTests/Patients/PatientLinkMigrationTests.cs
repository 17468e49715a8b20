using Healthcare.Core.Data;
using Healthcare.Core.Patients;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Healthcare.IntegrationTests.Patients;

/// <summary>
/// The upgrade of a database from before link offers and confirmed addresses: links that staff made directly stop
/// serving the record and are remembered as former links; staff accounts count as confirmed, self-registered ones do not.
/// </summary>
public sealed class PatientLinkMigrationTests : IAsyncLifetime
{
    private const string Before = "20261130124734_HeldAppointmentsIndex";
    private string _databaseUrl = "";

    public async Task InitializeAsync() => _databaseUrl = await TestServers.CreateDatabaseAsync(nameof(PatientLinkMigrationTests));

    public Task DisposeAsync() => TestServers.DropDatabaseAsync(_databaseUrl);

    [Fact]
    public async Task LinksMadeByStaffBecomeFormerLinksAndOnlyStaffAccountsCountAsConfirmed()
    {
        await using var db = TestServers.OpenDbContext(TestServers.OwnerUrl(_databaseUrl));
        await db.GetService<IMigrator>().MigrateAsync(Before);
        var clinic = Guid.NewGuid();
        var (patientAccount, doctor, linked, unlinked) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO clinics (id, name, time_zone, created_at) VALUES ({clinic}, 'Upgraded clinic', 'UTC', now());
            INSERT INTO users (id, email, display_name, password_hash, is_super_admin, is_disabled, security_stamp, created_at)
            VALUES ({patientAccount}, 'self.registered@tests.healthcare.test', 'Self', '-', false, false, gen_random_uuid(), now()),
                   ({doctor}, 'doctor@tests.healthcare.test', 'Doctor', '-', false, false, gen_random_uuid(), now());
            INSERT INTO clinic_memberships (id, clinic_id, user_id, role, created_at)
            VALUES (gen_random_uuid(), {clinic}, {patientAccount}, 'patient', now()), (gen_random_uuid(), {clinic}, {doctor}, 'doctor', now());
            INSERT INTO patients (id, clinic_id, user_id, given_name, family_name, search_name, date_of_birth, sex, created_at, updated_at)
            VALUES ({linked}, {clinic}, {patientAccount}, 'Lin', 'Ked', 'ked lin', '1980-01-01', 'female', now(), now()),
                   ({unlinked}, {clinic}, NULL, 'Un', 'Linked', 'linked un', '1980-01-01', 'male', now(), now());
            """);

        await DatabaseSchema.MigrateAsync(db);

        Assert.Null(await db.Patients.Where(p => p.Id == linked).Select(p => p.UserId).SingleAsync());
        var former = await db.PatientLinkOffers.SingleAsync();
        Assert.Equal((linked, patientAccount, PatientLinkChannels.Legacy), (former.PatientId, former.FormerUserId, former.Channel));
        Assert.Null(former.TokenHash);
        Assert.NotNull(former.RevokedAt);
        Assert.Null(await db.Users.Where(u => u.Id == patientAccount).Select(u => u.EmailVerifiedAt).SingleAsync());
        Assert.NotNull(await db.Users.Where(u => u.Id == doctor).Select(u => u.EmailVerifiedAt).SingleAsync());
    }
}
