using System.Globalization;
using System.Text.Json.Nodes;

namespace Healthcare.IntegrationTests.Platform;

/// <summary>
/// The differences between two versions of the OpenAPI document that break a client written against the older one:
/// a removed operation, parameter, field, media type, success status or response header; an enum value removed; an
/// input that became required; a type, format or range that a request may no longer use or an answer may now have.
/// Additions (operations, optional inputs, answer fields, enum values of inputs) are not breaking.
/// </summary>
public sealed class OpenApiBreakingChanges
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    private readonly JsonNode _before;
    private readonly JsonNode _after;
    private readonly List<string> _found = [];
    private readonly HashSet<string> _compared = [];

    private OpenApiBreakingChanges(JsonNode before, JsonNode after) => (_before, _after) = (before, after);

    /// <summary>What a client of <paramref name="before"/> finds broken in <paramref name="after"/>, one line each.</summary>
    public static IReadOnlyList<string> Find(JsonNode before, JsonNode after)
    {
        var changes = new OpenApiBreakingChanges(before, after);
        changes.ComparePaths();
        return changes._found;
    }

    private enum Direction
    {
        Request,
        Response,
    }

    private void ComparePaths()
    {
        foreach (var (path, oldItem) in Members(_before["paths"]))
        {
            var newItem = _after["paths"]?[path];
            foreach (var method in Methods.Where(m => oldItem?[m] is not null))
            {
                var operation = $"{method.ToUpperInvariant()} {path}";
                if (newItem?[method] is not { } newOperation)
                {
                    _found.Add($"{operation}: operation removed");
                    continue;
                }

                CompareParameters(operation, Parameters(oldItem, oldItem![method]!), Parameters(newItem, newOperation));
                CompareRequestBody(operation, oldItem[method]!["requestBody"], newOperation["requestBody"]);
                CompareResponses(operation, oldItem[method]!["responses"], newOperation["responses"]);
            }
        }
    }

    private void CompareParameters(string operation, Dictionary<string, JsonNode> before, Dictionary<string, JsonNode> after)
    {
        foreach (var (key, oldParameter) in before)
        {
            if (!after.TryGetValue(key, out var newParameter))
            {
                _found.Add($"{operation}: {key} parameter removed");
                continue;
            }

            if (!IsRequired(oldParameter) && IsRequired(newParameter))
            {
                _found.Add($"{operation}: {key} parameter became required");
            }

            CompareSchema(Direction.Request, $"{operation}: {key} parameter", oldParameter["schema"], newParameter["schema"]);
        }

        foreach (var (key, newParameter) in after.Where(p => !before.ContainsKey(p.Key) && IsRequired(p.Value)))
        {
            _found.Add($"{operation}: new required {key} parameter");
        }
    }

    private void CompareRequestBody(string operation, JsonNode? before, JsonNode? after)
    {
        if (before is null)
        {
            if (after is not null && IsRequired(after))
            {
                _found.Add($"{operation}: a request body became required");
            }

            return;
        }

        if (after is null)
        {
            _found.Add($"{operation}: the request body was removed");
            return;
        }

        if (!IsRequired(before) && IsRequired(after))
        {
            _found.Add($"{operation}: the request body became required");
        }

        CompareContent(Direction.Request, $"{operation}: request", before["content"], after["content"]);
    }

    private void CompareResponses(string operation, JsonNode? before, JsonNode? after)
    {
        // A client relies on the success answers; error statuses come and go with the rules and are all one schema.
        foreach (var (status, oldResponse) in Members(before).Where(r => r.Key.StartsWith('2')))
        {
            var where = $"{operation}: {status} answer";
            if (after?[status] is not { } newResponse)
            {
                _found.Add($"{where} removed");
                continue;
            }

            foreach (var (header, _) in Members(oldResponse?["headers"]))
            {
                if (newResponse["headers"]?[header] is null)
                {
                    _found.Add($"{where}: header {header} removed");
                }
            }

            CompareContent(Direction.Response, where, oldResponse?["content"], newResponse["content"]);
        }
    }

    private void CompareContent(Direction direction, string where, JsonNode? before, JsonNode? after)
    {
        foreach (var (mediaType, oldMedia) in Members(before))
        {
            if (after?[mediaType] is not { } newMedia)
            {
                _found.Add($"{where}: media type {mediaType} removed");
                continue;
            }

            CompareSchema(direction, $"{where} ({mediaType})", oldMedia?["schema"], newMedia["schema"]);
        }
    }

    private void CompareSchema(Direction direction, string where, JsonNode? before, JsonNode? after)
    {
        if (before is null || after is null)
        {
            return;
        }

        var oldRef = (string?)before["$ref"];
        var newRef = (string?)after["$ref"];
        if ((oldRef ?? newRef) is not null && !_compared.Add($"{direction} {oldRef} {newRef}"))
        {
            return;
        }

        var (oldSchema, oldTypes) = Unwrap(_before, before);
        var (newSchema, newTypes) = Unwrap(_after, after);
        CompareTypes(direction, where, oldTypes, newTypes, oldSchema, newSchema);
        CompareEnum(direction, where, oldSchema, newSchema);
        if (direction == Direction.Request)
        {
            CompareRanges(where, oldSchema, newSchema);
        }

        CompareProperties(direction, where, oldSchema, newSchema);
        CompareSchema(direction, $"{where}[]", oldSchema["items"], newSchema["items"]);
        if (oldSchema["additionalProperties"] is JsonObject oldValues && newSchema["additionalProperties"] is JsonObject newValues)
        {
            CompareSchema(direction, $"{where}{{}}", oldValues, newValues);
        }
    }

    private void CompareTypes(Direction direction, string where, HashSet<string> before, HashSet<string> after, JsonNode oldSchema, JsonNode newSchema)
    {
        if (before.Count > 0 && after.Count > 0)
        {
            // A request may send what it sent before; an answer may hold only what it held before.
            var (from, to) = direction == Direction.Request ? (before, after) : (after, before);
            foreach (var type in from.Where(t => !to.Contains(t) && !(t == "integer" && to.Contains("number"))).Order(StringComparer.Ordinal))
            {
                _found.Add(direction == Direction.Request ? $"{where}: no longer accepts {type}" : $"{where}: may now be {type}");
            }
        }

        var (oldFormat, newFormat) = ((string?)oldSchema["format"], (string?)newSchema["format"]);
        if (oldFormat != newFormat && !(direction == Direction.Request && newFormat is null))
        {
            _found.Add($"{where}: format changed from {oldFormat ?? "none"} to {newFormat ?? "none"}");
        }
    }

    private void CompareEnum(Direction direction, string where, JsonNode before, JsonNode after)
    {
        var newValues = Values(after["enum"]);
        if (newValues is null)
        {
            return;
        }

        var oldValues = Values(before["enum"]);
        if (oldValues is null)
        {
            if (direction == Direction.Request)
            {
                _found.Add($"{where}: now limited to {string.Join(", ", newValues)}");
            }

            return;
        }

        foreach (var value in oldValues.Except(newValues))
        {
            _found.Add($"{where}: enum value {value} removed");
        }
    }

    /// <summary>A request that was valid stays valid: no bound may appear or tighten.</summary>
    private void CompareRanges(string where, JsonNode before, JsonNode after)
    {
        foreach (var (bound, lower) in new[] { ("minimum", true), ("minLength", true), ("minItems", true), ("maximum", false), ("maxLength", false), ("maxItems", false) })
        {
            var (oldValue, newValue) = (Number(before[bound]), Number(after[bound]));
            if (newValue is { } tightened && (oldValue is null || (lower ? tightened > oldValue : tightened < oldValue)))
            {
                _found.Add($"{where}: {bound} became {tightened}");
            }
        }

        if ((string?)after["pattern"] is { } pattern && pattern != (string?)before["pattern"])
        {
            _found.Add($"{where}: pattern became {pattern}");
        }
    }

    private void CompareProperties(Direction direction, string where, JsonNode before, JsonNode after)
    {
        var (oldRequired, newRequired) = (Names(before["required"]), Names(after["required"]));
        foreach (var (name, oldProperty) in Members(before["properties"]))
        {
            if (after["properties"]?[name] is not { } newProperty)
            {
                _found.Add($"{where}: field {name} removed");
                continue;
            }

            if (direction == Direction.Response && oldRequired.Contains(name) && !newRequired.Contains(name))
            {
                _found.Add($"{where}: field {name} is no longer always present");
            }

            CompareSchema(direction, $"{where}.{name}", oldProperty, newProperty);
        }

        if (direction == Direction.Request)
        {
            foreach (var name in newRequired.Except(oldRequired))
            {
                _found.Add($"{where}: field {name} became required");
            }
        }
    }

    /// <summary>The schema a $ref names (followed), and its types; a nullable reference (oneOf null and a $ref) adds "null".</summary>
    private static (JsonNode Schema, HashSet<string> Types) Unwrap(JsonNode document, JsonNode schema)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        if ((schema["oneOf"] ?? schema["anyOf"]) is JsonArray alternatives
            && alternatives.OfType<JsonNode>().Where(c => (string?)c["type"] != "null").ToList() is [var only]
            && alternatives.Count == 2)
        {
            types.Add("null");
            schema = only;
        }

        for (var hops = 0; (string?)schema["$ref"] is { } reference && hops < 10; hops++)
        {
            schema = document["components"]?["schemas"]?[reference.Split('/')[^1]] ?? throw new InvalidOperationException($"{reference} is not in the document");
        }

        switch (schema["type"])
        {
            case JsonArray list:
                types.UnionWith(list.Select(t => (string)t!));
                break;
            case JsonValue single:
                types.Add((string)single!);
                break;
        }

        return (schema, types);
    }

    private static Dictionary<string, JsonNode> Parameters(JsonNode? pathItem, JsonNode operation) =>
        new[] { pathItem?["parameters"], operation["parameters"] }
            .OfType<JsonArray>()
            .SelectMany(list => list.OfType<JsonNode>())
            .GroupBy(p => $"{(string?)p["in"]} {((string?)p["in"] == "header" ? ((string?)p["name"])?.ToLowerInvariant() : (string?)p["name"])}")
            .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    private static bool IsRequired(JsonNode node) => node["required"] is JsonValue value && value.GetValue<bool>();

    private static IEnumerable<KeyValuePair<string, JsonNode?>> Members(JsonNode? node) => node as JsonObject ?? [];

    private static List<string>? Values(JsonNode? node) => (node as JsonArray)?.Select(v => v?.ToJsonString() ?? "null").ToList();

    private static List<string> Names(JsonNode? node) => (node as JsonArray)?.Select(v => (string)v!).ToList() ?? [];

    private static decimal? Number(JsonNode? node) => node is JsonValue ? decimal.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture) : null;
}
