using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Healthcare.Core.Patients;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Patients;

/// <summary>
/// Linking a patient record to the patient's own account (ADR 43). Staff offer a link; the worker sends a single-use
/// claim to the contact details on the record; only someone signed in with a confirmed address who presents the claim
/// links the record, and never the staff member who made the offer or set those contact details.
/// </summary>
public static class PatientLinksApi
{
    private const string Resource = "PatientLink";
    public const string StaffAccountReason = "staff-account";

    public static IEndpointRouteBuilder MapPatientLinksApi(this IEndpointRouteBuilder endpoints)
    {
        var link = endpoints.MapGroup("/api/v1/clinics/{clinicId:guid}/patients/{id:guid}/account-link").WithTags("Patient links")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        link.MapPost("", Offer)
            .RequirePermission(Permissions.PatientsWrite)
            .Audited(AuditActions.LinkOffer, Resource)
            .WithName("OfferPatientLink")
            .WithSummary("Send the patient a single-use link offer (valid 7 days) to the record's own e-mail address or phone number (channel: email, the default when the record has one, or sms); it replaces any earlier offer.")
            .ProducesValidationProblem();
        link.MapGet("", Status)
            .RequirePermission(Permissions.PatientsRead)
            .Audited(AuditActions.Read, Resource)
            .WithName("GetPatientLink")
            .WithSummary("Whether the record is linked to the patient's account, and the pending offer, if any.");
        link.MapDelete("", Unlink)
            .RequirePermission(Permissions.PatientsWrite)
            .Audited(AuditActions.Unlink, Resource)
            .WithName("UnlinkPatient")
            .WithSummary("Unlink the record from its account and withdraw any pending offer (idempotent).");

        endpoints.MapPost("/api/v1/me/patient-links", Accept)
            .RequireAuthorization()
            .Audited(AuditActions.Link, Resource)
            .WithTags("My records")
            .WithName("AcceptPatientLink")
            .WithSummary("Accept a clinic's link offer with the token it sent: the record then appears under /api/v1/me/patients.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return endpoints;
    }

    private static async Task<Results<Accepted<PatientLinkOfferDto>, NotFound, ValidationProblem>> Offer(
        Guid clinicId, Guid id, PatientLinkOfferRequest? request, CurrentUser caller, HealthcareDbContext db, TimeProvider clock, Auditor audit,
        CancellationToken cancellationToken)
    {
        audit.PatientId = id;
        if (request?.Channel is { } asked && asked is not (PatientLinkChannels.Email or PatientLinkChannels.Sms))
        {
            return Problems.Field("channel", "Use email or sms, or leave it out: the e-mail address is used if the record has one, else the phone number.");
        }

        var patient = await db.Patients.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.ClinicId == clinicId, cancellationToken);
        if (patient is null)
        {
            return TypedResults.NotFound();
        }

        var hasEmail = patient.Email is { Length: > 0 };
        var hasPhone = patient.Phone is { Length: > 0 };
        var channel = request?.Channel ?? (hasEmail || !hasPhone ? PatientLinkChannels.Email : PatientLinkChannels.Sms);
        if (channel == PatientLinkChannels.Email && !hasEmail)
        {
            return Problems.Field("email", "The record has no e-mail address to send the offer to. Add one first, or use the phone number.");
        }

        if (channel == PatientLinkChannels.Sms && !hasPhone)
        {
            return Problems.Field("phone", "The record has no phone number to send the offer to. Add one first, or use the e-mail address.");
        }

        var now = clock.GetUtcNow();
        await RevokeOpenOffersAsync(db, id, now, cancellationToken);
        var token = RandomNumberGenerator.GetBytes(32);
        var offer = new PatientLinkOffer
        {
            ClinicId = clinicId,
            PatientId = id,
            TokenHash = SHA256.HashData(token),
            Channel = channel,
            OfferedBy = caller.Id,
            CreatedAt = now,
            ExpiresAt = now + PatientLinkOffer.Lifetime,
        };
        db.PatientLinkOffers.Add(offer);
        // The claim travels only in the message; the database keeps its hash and the answer never shows it.
        db.OutboxMessages.Add(OutboxMessage.Create(OutboxKinds.PatientLinkOffer, new { offerId = offer.Id, patientId = id, clinicId, channel, token = Tokens.Encode(token) }));
        await db.SaveChangesAsync(cancellationToken);
        audit.ResourceId = offer.Id.ToString();
        return TypedResults.Accepted($"/api/v1/clinics/{clinicId}/patients/{id}/account-link", offer.ToDto());
    }

    private static async Task<Results<Ok<PatientLinkDto>, NotFound>> Status(
        Guid clinicId, Guid id, HealthcareDbContext db, TimeProvider clock, Auditor audit, CancellationToken cancellationToken)
    {
        audit.PatientId = id;
        var patient = await db.Patients.AsNoTracking().Where(p => p.Id == id && p.ClinicId == clinicId)
            .Select(p => new { p.UserId }).SingleOrDefaultAsync(cancellationToken);
        if (patient is null)
        {
            return TypedResults.NotFound();
        }

        var now = clock.GetUtcNow();
        var offers = db.PatientLinkOffers.AsNoTracking().Where(o => o.PatientId == id);
        var linkedAt = patient.UserId is { } userId
            ? await offers.Where(o => o.AcceptedBy == userId).MaxAsync(o => o.AcceptedAt, cancellationToken)
            : null;
        var pending = await offers.Where(o => o.TokenHash != null && o.AcceptedAt == null && o.RevokedAt == null && o.ExpiresAt > now)
            .OrderByDescending(o => o.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        return TypedResults.Ok(new PatientLinkDto(patient.UserId is not null, linkedAt, pending?.ToDto()));
    }

    private static async Task<Results<NoContent, NotFound>> Unlink(
        Guid clinicId, Guid id, HealthcareDbContext db, TimeProvider clock, Auditor audit, CancellationToken cancellationToken)
    {
        audit.PatientId = id;
        var patient = await db.Patients.SingleOrDefaultAsync(p => p.Id == id && p.ClinicId == clinicId, cancellationToken);
        if (patient is null)
        {
            return TypedResults.NotFound();
        }

        // Idempotent: unlinking a record that has no link and no pending offer changes nothing and says so alike.
        await RevokeOpenOffersAsync(db, id, clock.GetUtcNow(), cancellationToken);
        audit.ResourceId = patient.UserId?.ToString();
        patient.UserId = null;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<LinkedRecordDto>, ValidationProblem, ProblemHttpResult>> Accept(
        AcceptPatientLinkRequest request, CurrentUser caller, HealthcareDbContext db, AuthStateCache access, TimeProvider clock,
        Auditor audit, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var hash = Tokens.Decode(request.Token) is { } raw ? SHA256.HashData(raw) : [];
        var offer = await db.PatientLinkOffers.AsNoTracking().SingleOrDefaultAsync(o => o.TokenHash == hash, cancellationToken);
        if (offer is null || offer.AcceptedAt is not null || offer.RevokedAt is not null || offer.ExpiresAt <= now)
        {
            return InvalidOffer();
        }

        audit.ClinicId = offer.ClinicId;
        audit.PatientId = offer.PatientId;
        audit.ResourceId = offer.Id.ToString();
        var patient = await db.Patients.SingleAsync(p => p.Id == offer.PatientId, cancellationToken);
        var me = await db.Users.Include(u => u.Memberships).SingleAsync(u => u.Id == caller.Id, cancellationToken);
        if (me.EmailVerifiedAt is null)
        {
            return TypedResults.Problem(title: "Confirm your e-mail address first.", statusCode: StatusCodes.Status403Forbidden);
        }

        // Whoever offered the link, or set the contact details the claim went to, could have read the claim.
        var handledBy = new[] { offer.OfferedBy, patient.ContactChangedBy }.OfType<Guid>().ToList();
        var handlers = await db.Users.AsNoTracking().Where(u => handledBy.Contains(u.Id)).Select(u => u.Email).ToListAsync(cancellationToken);
        if (handledBy.Contains(me.Id) || handlers.Any(email => User.SameMailbox(email, me.Email)))
        {
            return SelfGrants.Refused(
                audit,
                "You cannot accept a link offer that you sent or whose contact details you set.",
                "Ask a colleague to check the record's contact details and send a new offer.");
        }

        var claimed = await db.PatientLinkOffers.Where(o => o.Id == offer.Id && o.AcceptedAt == null && o.RevokedAt == null)
            .ExecuteUpdateAsync(o => o.SetProperty(x => x.AcceptedAt, now).SetProperty(x => x.AcceptedBy, me.Id), cancellationToken);
        if (claimed == 0)
        {
            return InvalidOffer();
        }

        await RevokeOpenOffersAsync(db, patient.Id, now, cancellationToken);
        patient.UserId = me.Id;
        if (!me.Memberships.Any(m => m.ClinicId == patient.ClinicId))
        {
            db.ClinicMemberships.Add(new ClinicMembership { ClinicId = patient.ClinicId, UserId = me.Id, Role = ClinicRoles.Patient });
        }

        if (me.IsSuperAdmin || me.Memberships.Any(m => m.ClinicId == patient.ClinicId && m.Role != ClinicRoles.Patient))
        {
            // Allowed (staff are patients too), but flagged and reported: it is the shape a self-grant would take.
            audit.Reason = StaffAccountReason;
            var admins = await db.ClinicMemberships
                .Where(m => m.ClinicId == patient.ClinicId && m.Role == ClinicRoles.ClinicAdmin && !m.User!.IsDisabled)
                .Select(m => m.User!.Email)
                .ToListAsync(cancellationToken);
            db.OutboxMessages.AddRange(admins.Select(to => OutboxMessage.Create(OutboxKinds.StaffAccountLinkAlert, new { to, linkId = offer.Id, at = now })));
        }

        await db.SaveChangesAsync(cancellationToken);
        // A new patient membership shows in the account's permissions at once, on every instance.
        await access.ForgetUserAsync(me.Id, cancellationToken);
        var clinicName = await db.Clinics.Where(c => c.Id == patient.ClinicId).Select(c => c.Name).SingleAsync(cancellationToken);
        return TypedResults.Ok(new LinkedRecordDto(patient.Id, patient.ClinicId, clinicName));
    }

    private static ValidationProblem InvalidOffer() =>
        Problems.Field("token", "The link offer is invalid, used, withdrawn or expired. Ask the clinic for a new one.");

    /// <summary>Makes every open offer for the patient unusable; only the newest claim ever works.</summary>
    private static Task<int> RevokeOpenOffersAsync(HealthcareDbContext db, Guid patientId, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.PatientLinkOffers.Where(o => o.PatientId == patientId && o.TokenHash != null && o.AcceptedAt == null && o.RevokedAt == null)
            .ExecuteUpdateAsync(o => o.SetProperty(x => x.RevokedAt, now), cancellationToken);

    private static PatientLinkOfferDto ToDto(this PatientLinkOffer offer) => new(offer.Id, offer.Channel, offer.CreatedAt, offer.ExpiresAt);
}

/// <summary>How to send the offer: <c>email</c> or <c>sms</c>, to the record's own contact details. Optional.</summary>
public sealed record PatientLinkOfferRequest([property: MaxLength(16)] string? Channel);

public sealed record AcceptPatientLinkRequest([property: Required, MaxLength(100)] string Token);

/// <summary>An offer as staff see it: where the claim went and until when it works (never the claim itself).</summary>
public sealed record PatientLinkOfferDto(Guid Id, string Channel, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

public sealed record PatientLinkDto(bool Linked, DateTimeOffset? LinkedAt, PatientLinkOfferDto? PendingOffer);

public sealed record LinkedRecordDto(Guid PatientId, Guid ClinicId, string ClinicName);
