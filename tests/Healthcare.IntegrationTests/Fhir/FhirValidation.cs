using System.Net;
using Firely.Fhir.Validation;
using Healthcare.Api.Features.Fhir;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;

namespace Healthcare.IntegrationTests.Fhir;

/// <summary>
/// Firely's validator over the FHIR R4 core specification (the <c>specification.zip</c> of
/// Hl7.Fhir.Specification.Data.R4), with the core terminology, so that required bindings are checked. Built once:
/// the first validation unpacks the specification and compiles the profiles it needs.
/// </summary>
internal static class FhirValidation
{
    private static readonly Lazy<Validator> Shared = new(() =>
    {
        var resolver = new CachedResolver(ZipSource.CreateValidationSource());
        return new Validator(resolver, LocalTerminologyService.CreateDefaultForCore(resolver));
    });

    private static readonly Lock Gate = new();

    /// <summary>Parses the body as FHIR JSON (strictly) and returns the resource.</summary>
    public static Resource Parse(string json) => FhirJsonDeserializer.DEFAULT.DeserializeResource(json);

    /// <summary>The validator's errors for the resource against its core profile (and <paramref name="profile"/>), as text.</summary>
    public static List<string> Errors(Resource resource, string? profile = null)
    {
        OperationOutcome outcome;
        lock (Gate)
        {
            outcome = Shared.Value.Validate(resource, profile);
        }

        return [.. outcome.Issue
            .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
            .Select(i => $"{resource.TypeName}/{resource.Id} {string.Join(",", i.Expression)}: {i.Details?.Text ?? i.Diagnostics}")];
    }

    /// <summary>The resource of a 200 answer (the answer's body shown if it is another status).</summary>
    public static async Task<Resource> ResourceAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return Parse(body);
    }

    /// <summary>Asserts a refusal: the status, FHIR's media type, one issue of <paramref name="code"/>, a valid outcome.</summary>
    public static async Task<OperationOutcome> AssertOutcomeAsync(HttpResponseMessage response, HttpStatusCode status, OperationOutcome.IssueType code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
        Assert.Equal(FhirResponses.MediaType, response.Content.Headers.ContentType?.MediaType);
        var outcome = Assert.IsType<OperationOutcome>(Parse(body));
        Assert.Equal(code, outcome.Issue.Single().Code);
        AssertValid(outcome);
        return outcome;
    }

    /// <summary>Fails with every error the validator reports for the resource.</summary>
    public static void AssertValid(Resource resource, string? profile = null)
    {
        var errors = Errors(resource, profile);
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }
}
