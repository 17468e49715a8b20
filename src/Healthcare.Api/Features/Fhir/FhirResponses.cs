using System.Text.Encodings.Web;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Healthcare.Api.Features.Fhir;

/// <summary>
/// Answers of the FHIR API: resources as <c>application/fhir+json</c> written by Firely's serializer, with the
/// version as <c>ETag</c> and the last update as <c>Last-Modified</c>, and every refusal as an
/// <see cref="OperationOutcome"/>.
/// </summary>
public static class FhirResponses
{
    public const string MediaType = "application/fhir+json";
    public const string ContentType = MediaType + "; charset=utf-8";

    // JSON's own escaping only: the body is never embedded in HTML, and FHIR instants keep their '+'.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IResult Resource(Resource resource, int status = StatusCodes.Status200OK) => new FhirResult(resource, status);

    /// <summary>An <see cref="OperationOutcome"/> with one error; <paramref name="expression"/> names the parameter or element at fault.</summary>
    public static IResult Outcome(int status, string diagnostics, string? expression = null) =>
        new FhirResult(OutcomeOf(status, diagnostics, expression), status);

    public static IResult NotFound(string resourceType) =>
        Outcome(StatusCodes.Status404NotFound, $"No {resourceType} with this id is within the caller's reach.");

    public static IResult Invalid(string parameter, string diagnostics) => Outcome(StatusCodes.Status400BadRequest, diagnostics, parameter);

    public static OperationOutcome OutcomeOf(int status, string diagnostics, string? expression = null)
    {
        var issue = new OperationOutcome.IssueComponent
        {
            Severity = status >= 500 ? OperationOutcome.IssueSeverity.Fatal : OperationOutcome.IssueSeverity.Error,
            Code = IssueTypeOf(status),
            Diagnostics = diagnostics,
        };
        if (expression is not null)
        {
            issue.Expression = [expression];
        }

        return new OperationOutcome { Issue = [issue] };
    }

    private static OperationOutcome.IssueType IssueTypeOf(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => OperationOutcome.IssueType.Login,
        StatusCodes.Status403Forbidden => OperationOutcome.IssueType.Forbidden,
        StatusCodes.Status404NotFound or StatusCodes.Status410Gone => OperationOutcome.IssueType.NotFound,
        StatusCodes.Status409Conflict or StatusCodes.Status412PreconditionFailed => OperationOutcome.IssueType.Conflict,
        StatusCodes.Status413PayloadTooLarge => OperationOutcome.IssueType.TooCostly,
        StatusCodes.Status415UnsupportedMediaType or StatusCodes.Status405MethodNotAllowed => OperationOutcome.IssueType.NotSupported,
        StatusCodes.Status422UnprocessableEntity => OperationOutcome.IssueType.Processing,
        StatusCodes.Status429TooManyRequests => OperationOutcome.IssueType.Throttled,
        >= 500 => OperationOutcome.IssueType.Exception,
        _ => OperationOutcome.IssueType.Invalid,
    };

    /// <summary>Writes a resource to the response body without buffering it as a string.</summary>
    public static async System.Threading.Tasks.Task WriteAsync(HttpContext http, Resource resource, int status)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = ContentType;
        if (resource.Meta is { VersionId: { } version })
        {
            http.Response.Headers.ETag = $"W/\"{version}\"";
        }

        if (resource.Meta?.LastUpdated is { } updated)
        {
            http.Response.Headers.LastModified = HeaderUtilities.FormatDate(updated);
        }

        await using var writer = new Utf8JsonWriter(http.Response.BodyWriter, WriterOptions);
        FhirJsonSerializer.Default.Serialize(resource, writer);
        await writer.FlushAsync(http.RequestAborted);
    }

    private sealed class FhirResult(Resource resource, int status) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
    {
        public int? StatusCode => status;

        string? IContentTypeHttpResult.ContentType => ContentType;

        public System.Threading.Tasks.Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, resource, status);
    }
}

/// <summary>
/// Writes the platform's problem answers (authorization refusals, rate limits, oversized bodies, failures) as an
/// <see cref="OperationOutcome"/> on the FHIR base, and leaves every other path to the problem-details writer.
/// </summary>
internal sealed class FhirOutcomeWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => FhirApi.IsFhirPath(context.HttpContext.Request.Path);

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        var diagnostics = string.Join(" ", new[] { problem.Title, problem.Detail }.Where(t => !string.IsNullOrWhiteSpace(t)));
        var expression = problem is HttpValidationProblemDetails { Errors.Count: > 0 } invalid ? invalid.Errors.Keys.First() : null;
        var outcome = FhirResponses.OutcomeOf(status, diagnostics.Length > 0 ? diagnostics : ReasonOf(status), expression);
        return new ValueTask(FhirResponses.WriteAsync(context.HttpContext, outcome, status));
    }

    private static string ReasonOf(int status) => ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : $"HTTP {status}";
}
