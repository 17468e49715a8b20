using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Identity;

/// <summary>The signed-in user's notification preferences: channel, and opting out of reminders.</summary>
public static class PreferencesApi
{
    private const string Resource = "NotificationPreferences";

    public static IEndpointRouteBuilder MapPreferencesApi(this IEndpointRouteBuilder endpoints)
    {
        var preferences = endpoints.MapGroup("/api/v1/me/notification-preferences").WithTags("Authentication")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        preferences.MapGet("", Get)
            .Audited(AuditActions.Read, Resource)
            .WithName("GetNotificationPreferences")
            .WithSummary("How I receive appointment messages, and whether I receive reminders.");
        preferences.MapPut("", Update)
            .Audited(AuditActions.Update, Resource)
            .WithName("UpdateNotificationPreferences")
            .WithSummary("Choose e-mail or SMS (used when the clinic can send text messages) and opt out of or back into reminders.")
            .ProducesValidationProblem();
        return endpoints;
    }

    private static async Task<Ok<NotificationPreferencesDto>> Get(CurrentUser user, HealthcareDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Users.Where(u => u.Id == user.Id)
            .Select(u => new NotificationPreferencesDto(u.NotificationChannel, u.RemindersOptOut))
            .SingleAsync(cancellationToken));

    private static async Task<Results<Ok<NotificationPreferencesDto>, ValidationProblem>> Update(
        NotificationPreferencesDto request, CurrentUser user, HealthcareDbContext db, CancellationToken cancellationToken)
    {
        if (request.Channel is not (NotificationChannels.Email or NotificationChannels.Sms))
        {
            return Problems.Field("channel", "Use email or sms.");
        }

        await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(
            u => u.SetProperty(x => x.NotificationChannel, request.Channel).SetProperty(x => x.RemindersOptOut, request.RemindersOptOut),
            cancellationToken);
        return TypedResults.Ok(request);
    }
}

public sealed record NotificationPreferencesDto([property: OneOf(typeof(NotificationChannels))] string Channel, bool RemindersOptOut);
