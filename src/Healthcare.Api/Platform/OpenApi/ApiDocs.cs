using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Healthcare.Api.Platform;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c> and interactive docs at <c>/docs</c>. The document is meant to
/// be trusted by generated clients: <see cref="OperationContract"/> adds what every operation can answer,
/// <see cref="SchemaRules"/> makes schemas say what the API accepts, and <see cref="ApiContract"/> holds the
/// headers. Checked by Redocly and by the fuzzer's conformance checks (ADR 47).
/// </summary>
public static class ApiDocs
{
    public const string Title = "Healthcare Backend API";

    /// <summary>
    /// The contract's version (semantic): the major part changes with any change that breaks clients of the /api/v1
    /// document (the contract tests refuse one otherwise); the SDKs in clients/ carry the same version.
    /// </summary>
    public const string Version = "1.0.0";

    /// <summary>What each tag groups; every tag an endpoint uses must be described here.</summary>
    public static readonly IReadOnlyDictionary<string, string> Tags = new Dictionary<string, string>
    {
        ["Authentication"] = "Sign-in, token refresh, sign-out, sessions and the caller's own profile.",
        ["Account"] = "Registration, e-mail confirmation and changes, passwords and preferences.",
        ["Multi-factor authentication"] = "Enrolling, confirming and removing a second factor (TOTP).",
        ["Clinics"] = "Clinics' profiles, opening hours, appointment policy and locations.",
        ["Clinic members"] = "Who works in a clinic, with which role, and invitations.",
        ["Practitioners"] = "Practitioners' profiles, working hours and time off.",
        ["Patients"] = "Patients' demographics and identifiers, search and notifications sent to them.",
        ["Patient links"] = "Linking a patient record to the patient's own account.",
        ["Emergency access"] = "Break-glass access to a patient's record, with a reason, audited.",
        ["Scheduling"] = "Appointment types, availability, booking and the appointment life cycle, series and waitlist.",
        ["My appointments"] = "A signed-in patient's own appointments: list, book, reschedule, cancel.",
        ["Clinical records"] = "Encounters, notes, vital signs, allergies, medications and problem lists.",
        ["My records"] = "A signed-in patient's own records and who accessed them.",
        ["Exports"] = "CSV exports of a clinic's appointments, produced in the background.",
        ["Apps"] = "Third-party apps a clinic registers for SMART on FHIR access: public apps with redirect URIs, backend services with public keys.",
        ["Audit"] = "The audit trail: querying events and verifying the hash chains.",
    };

    public static IServiceCollection AddApiDocs(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, context, _) => DescribeDocument(document));
            options.AddOperationTransformer<OperationContract>();
            options.AddSchemaTransformer<SchemaRules>();
        });

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/docs", options => options
            .WithTitle(Title)
            .WithOpenApiRoutePattern("/openapi/{documentName}.json"))
            .AllowAnonymous();
        return app;
    }

    private static Task DescribeDocument(OpenApiDocument document)
    {
        document.Info.Title = Title;
        document.Info.Version = Version;
        document.Info.Description =
            "Clinics, practitioners, patients, scheduling and records. Errors are RFC 9457 problem details " +
            $"(the {ProblemSchema.Name} schema); authenticate with a bearer access token from POST /api/v1/auth/login.";
        document.Info.License = new OpenApiLicense { Name = "Apache-2.0", Url = new Uri("https://www.apache.org/licenses/LICENSE-2.0") };

        // The generator writes the request's base address with a trailing slash; operations' paths start with one.
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiContract.BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "Access token from POST /api/v1/auth/login.",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ProblemSchema.Name] = ProblemSchema.Create();
        // Replaced by the Problem schema in every error answer (OperationContract).
        document.Components.Schemas.Remove("ProblemDetails");
        document.Components.Schemas.Remove("HttpValidationProblemDetails");
        document.Components.Headers ??= new Dictionary<string, IOpenApiHeader>();
        foreach (var name in ApiContract.Headers.Keys)
        {
            document.Components.Headers[name] = ApiContract.CreateHeader(name);
        }

        foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
        {
            tag.Description = tag.Name is { } name && Tags.TryGetValue(name, out var text) ? text : null;
        }

        RequestExamples.Describe(document);

        return Task.CompletedTask;
    }
}
