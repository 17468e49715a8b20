using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Healthcare.IntegrationTests.Security;

/// <summary>
/// Checks one answer against the operation's entry in the API's own OpenAPI document, as a conformance fuzzer
/// (Schemathesis) does: the status is declared, the content type is declared, the body is valid against the
/// declared schema (formats included), and every header declared as required is present. It also fails headers the
/// API sends but does not declare (<c>ETag</c>, <c>Location</c>, <c>Idempotent-Replayed</c>), so that a client
/// generated from the document knows about them.
/// </summary>
internal sealed class OpenApiConformance
{
    private static readonly Uri DocumentUri = new("https://healthcare.test/openapi/v1.json");
    private static readonly string[] WatchedHeaders = ["ETag", "Location", "Idempotent-Replayed"];

    private readonly JsonObject _document;
    private readonly EvaluationOptions _options;
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new();
    private readonly Lock _evaluation = new();

    public OpenApiConformance(string json)
    {
        _document = JsonNode.Parse(json)!.AsObject();
        _options = new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
        _options.SchemaRegistry.Register(DocumentUri, new JsonNodeBaseDocument(_document, DocumentUri));
    }

    /// <summary>What is wrong with the answer, one line per finding; empty when it conforms.</summary>
    public IReadOnlyList<string> Check(string method, string template, HttpResponseMessage response, string body)
    {
        var where = $"{method} {template} answered {(int)response.StatusCode}";
        if (_document["paths"]?[template]?[method.ToLowerInvariant()]?["responses"] is not JsonObject responses)
        {
            return [$"{method} {template} is not in the document"];
        }

        var status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        var key = new[] { status, $"{status[0]}XX", "default" }.FirstOrDefault(responses.ContainsKey);
        if (key is null)
        {
            return [$"{where}, a status the document does not declare ({string.Join(", ", responses.Select(r => r.Key))})"];
        }

        var declared = responses[key]!;
        var failures = new List<string>();
        CheckBody(where, declared["content"] as JsonObject, response.Content.Headers.ContentType?.MediaType, body, failures);
        CheckHeaders(where, declared["headers"] as JsonObject, response, failures);
        return failures;
    }

    private void CheckBody(string where, JsonObject? content, string? mediaType, string body, List<string> failures)
    {
        if (body.Length == 0)
        {
            if (content is { Count: > 0 })
            {
                failures.Add($"{where} without a body, but the document declares {string.Join(", ", content.Select(c => c.Key))}");
            }

            return;
        }

        if (mediaType is null || content?[mediaType] is not JsonObject media)
        {
            failures.Add($"{where} as {mediaType ?? "no content type"}, which the document does not declare");
            return;
        }

        if (media["schema"] is not { } schemaNode || !mediaType.EndsWith("json", StringComparison.Ordinal))
        {
            return;
        }

        var errors = SchemaErrors(schemaNode, JsonNode.Parse(body));
        if (errors.Count > 0)
        {
            failures.Add($"{where} with a body its schema refuses: {string.Join("; ", errors)}; body: {Truncate(body)}");
        }
    }

    /// <summary>Every request body's example, checked against its schema: what is missing or invalid, one line each.</summary>
    public IReadOnlyList<string> CheckRequestExamples()
    {
        var failures = new List<string>();
        foreach (var (template, item) in _document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject().Where(o => o.Value?["requestBody"] is not null))
            {
                foreach (var (mediaType, media) in operation!["requestBody"]!["content"]!.AsObject())
                {
                    var where = $"{method.ToUpperInvariant()} {template} ({mediaType})";
                    if (media?["example"] is not { } example)
                    {
                        failures.Add($"{where}: no example");
                    }
                    else if (SchemaErrors(media["schema"]!, example) is { Count: > 0 } errors)
                    {
                        failures.Add($"{where}: an example its schema refuses: {string.Join("; ", errors)}");
                    }
                }
            }
        }

        return failures;
    }

    private List<string> SchemaErrors(JsonNode schemaNode, JsonNode? instance)
    {
        // The schema's references point into the document, which the registry holds under DocumentUri.
        var text = schemaNode.ToJsonString().Replace("\"#/components/", $"\"{DocumentUri}#/components/", StringComparison.Ordinal);
        var schema = _schemas.GetOrAdd(text, JsonSchema.FromText);
        EvaluationResults results;
        lock (_evaluation)
        {
            results = schema.Evaluate(instance, _options);
        }

        return results.IsValid
            ? []
            : [.. (results.Details ?? []).Where(d => d.HasErrors).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Take(5)];
    }

    private void CheckHeaders(string where, JsonObject? headers, HttpResponseMessage response, List<string> failures)
    {
        var declared = (headers ?? []).ToDictionary(h => h.Key, h => Resolve(h.Value), StringComparer.OrdinalIgnoreCase);
        foreach (var (name, header) in declared)
        {
            if (header?["required"]?.GetValue<bool>() == true && !Has(response, name))
            {
                failures.Add($"{where} without the header {name}, which the document declares as always sent");
            }
        }

        foreach (var name in WatchedHeaders.Where(name => Has(response, name) && !declared.ContainsKey(name)))
        {
            failures.Add($"{where} with the header {name}, which the document does not declare");
        }
    }

    private JsonNode? Resolve(JsonNode? node) =>
        node?["$ref"]?.GetValue<string>() is { } reference && reference.StartsWith("#/components/headers/", StringComparison.Ordinal)
            ? _document["components"]?["headers"]?[reference["#/components/headers/".Length..]]
            : node;

    private static bool Has(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.Contains(name) || response.Content.Headers.NonValidated.Contains(name);

    private static string Truncate(string body) => body.Length <= 300 ? body : body[..300] + "...";
}
