using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Patients;

/// <summary>What was sent to a patient, and what failed: staff can see that a reminder went out or did not.</summary>
public static class NotificationsApi
{
    private static readonly HashSet<string> ListParameters = ["status"];
    private static readonly HashSet<string> Statuses = [NotificationStatus.Pending, NotificationStatus.Sent, NotificationStatus.Failed];

    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/clinics/{clinicId:guid}/patients/{patientId:guid}/notifications", List).WithTags("Patients")
            .RequirePermission(Permissions.PatientsRead)
            .Audited(AuditActions.Read, "NotificationList")
            .WithName("ListPatientNotifications")
            .WithSummary("Messages to the patient, newest first, with status (pending, sent, failed), attempts and the last error type; keyset paginated.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();
        return endpoints;
    }

    private static async Task<Results<Ok<Page<NotificationDto>>, NotFound, ValidationProblem>> List(
        Guid clinicId, Guid patientId, string? status, int? limit, string? cursor, HttpContext http, HealthcareDbContext db, Auditor audit,
        CancellationToken cancellationToken)
    {
        if (Paging.Check(http, ListParameters, limit) is { } invalid)
        {
            return invalid;
        }

        if (status is not null && !Statuses.Contains(status))
        {
            return Problems.Field("status", "Use pending, sent or failed.");
        }

        audit.PatientId = patientId;
        if (!await db.Patients.AnyAsync(p => p.Id == patientId && p.ClinicId == clinicId, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        var query = db.Notifications.AsNoTracking().Where(n => n.PatientId == patientId && n.ClinicId == clinicId);
        query = status is null ? query : query.Where(n => n.Status == status);
        if (cursor is not null)
        {
            if (!Paging.TryReadCursor(cursor, out var after))
            {
                return Paging.BadCursor();
            }

            query = query.Where(n => n.Id.CompareTo(after.Id) < 0);
        }

        var size = limit ?? Paging.DefaultLimit;
        var rows = await query.OrderByDescending(n => n.Id).Take(size + 1).ToListAsync(cancellationToken);
        var items = rows.Take(size)
            .Select(n => new NotificationDto(n.Id, n.Channel, n.Template, n.Subject, n.Status, n.Attempts, n.LastError, n.CreatedAt, n.SentAt))
            .ToList();
        return TypedResults.Ok(new Page<NotificationDto>(items, rows.Count > size ? Paging.NextLink(http, Paging.Cursor(items[^1].Id)) : null));
    }
}

/// <summary>A message to a patient; the text itself is not repeated here.</summary>
public sealed record NotificationDto(
    Guid Id, [property: OneOf(typeof(NotificationChannels))] string Channel, string Template, string Subject, [property: OneOf(typeof(NotificationStatus))] string Status, int Attempts, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? SentAt);
