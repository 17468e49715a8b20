namespace Healthcare.Api.Platform;

/// <summary>
/// The clinic a request acts in and the caller's role there: clinic authorization records the role, the audit
/// trail reads both.
/// </summary>
public static class ClinicScope
{
    /// <summary>The <see cref="HttpContext.Items"/> key of the caller's role in the request's clinic.</summary>
    public const string RoleItem = "healthcare.clinic-role";

    /// <summary>The clinic a request acts in: the route's <c>{clinicId}</c>, else the <c>clinicId</c> query parameter.</summary>
    public static string? ClinicIdOf(HttpContext http) =>
        http.GetRouteValue("clinicId")?.ToString() ?? http.Request.Query["clinicId"].FirstOrDefault();
}
