using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CsCheck;

namespace Healthcare.IntegrationTests.Security;

/// <summary>One generated request: what is sent, and to whom it is sent as.</summary>
internal sealed record FuzzRequest(string Method, string Path, string? ContentType, string? Body, string? IdempotencyKey, bool AsPatient)
{
    public override string ToString()
    {
        var body = Body is null ? "" : Body.Length > 400 ? $" body[{Body.Length}]: {Body[..400]}..." : $" body: {Body}";
        return $"{Method} {Path} as {(AsPatient ? "patient" : "platform admin")} ({ContentType ?? "no content type"}){body}";
    }
}

/// <summary>
/// CsCheck generators of requests for the operations of an OpenAPI document: each operation's own path,
/// query and body schemas give mostly well-formed values (real ids, edge-of-range numbers and dates) mixed
/// with values of the wrong type, missing and unexpected fields, hostile strings and broken JSON.
/// </summary>
internal sealed class OpenApiRequests(JsonElement document, FuzzWorld world)
{
    /// <summary>Strings that have broken parsers, encoders, databases and logs elsewhere.</summary>
    public static readonly string[] HostileStrings =
    [
        "", " ", "'; DROP TABLE patients; --", "\" OR 1=1 --", "<script>alert(1)</script>", "a\u0000b", "line\r\nSet-Cookie: x=y",
        "😀👩‍⚕️", "\uFFFD", "\u202Eevil", "\uD800", "e\u0301", "\u200B", "ＡＢＣ", "%00", "../../etc/passwd", "${jndi:ldap://127.0.0.1/x}",
        "{{7*7}}", "\\", "null", "NaN", "-0", "9".PadRight(40, '9'), new string('x', 10_000),
    ];

    private static readonly string[] WrongTypes =
    [
        "42", "-1", "1.5", "1e400", "-1e400", "99999999999999999999999999", "-9223372036854775809", "true", "\"text\"", "[]", "{}",
        "[null]", "{\"nested\":{\"deeper\":[1,2,3]}}", "\"2024-13-45\"", "\"00000000-0000-0000-0000-000000000000\"",
    ];

    private static readonly string[] BrokenBodies =
    [
        "", "{", "{\"a\":", "[]", "42", "null", "\"text\"", "{\"a\":1,}", "{'single':'quotes'}", "\u00EF\u00BB\u00BF{}",
        new string('[', 2_000) + new string(']', 2_000), "{\"a\":" + new string('[', 100) + new string(']', 100) + "}",
    ];

    private static readonly string[] OddContentTypes =
        ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16"];

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly (string?, string?) NoBody = (null, null);

    private static readonly (string?, string?) UnexpectedBody = ("application/json", "{\"unexpected\":true}");

    private static Gen<T?> Nothing<T>()
        where T : class => Gen.Const(default(T));

    private static readonly Gen<string> HostileString = Gen.OneOf(HostileStrings);

    /// <summary>Every operation under /api/v1 except those that end the caller's own sessions.</summary>
    public IReadOnlyList<(string Method, string Template, Gen<FuzzRequest> Gen)> Operations() =>
        [.. document.GetProperty("paths").EnumerateObject()
            .Where(p => p.Name.StartsWith("/api/v1/", StringComparison.Ordinal) && !p.Name.StartsWith("/api/v1/auth/logout", StringComparison.Ordinal))
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (Method: o.Name.ToUpperInvariant(), Template: p.Name, Gen: Operation(o.Name.ToUpperInvariant(), p.Name, o.Value))))];

    private Gen<FuzzRequest> Operation(string method, string template, JsonElement operation)
    {
        var parameters = operation.TryGetProperty("parameters", out var list) ? list.EnumerateArray().ToList() : [];
        var path = PathGen(template);
        var query = parameters.Where(p => p.GetProperty("in").GetString() == "query")
            .Aggregate(Gen.Const(""), (acc, p) => acc.SelectMany(q => QueryParameter(p).Select(v => v is null ? q : $"{q}{(q.Length == 0 ? "?" : "&")}{v}")));
        var idempotency = parameters.Any(p => p.GetProperty("name").GetString() == "Idempotency-Key")
            ? Gen.Frequency((4, Nothing<string>()), (2, Gen.Guid.Select(g => (string?)g.ToString())), (1, Gen.OneOf<string?>(new string('k', 300), "", "a b", "x")))
            : Nothing<string>();
        var body = operation.TryGetProperty("requestBody", out var requestBody)
            ? BodyGen(requestBody.GetProperty("content").GetProperty("application/json").GetProperty("schema"))
            : Gen.Frequency((8, Gen.Const(NoBody)), (1, Gen.Const(UnexpectedBody)));
        var asPatient = template.StartsWith("/api/v1/me/", StringComparison.Ordinal);
        return path.SelectMany(p => query.SelectMany(q => body.SelectMany(b => idempotency.Select(k =>
            new FuzzRequest(method, p + q, b.Item1, b.Item2, k, asPatient)))));
    }

    private Gen<string> PathGen(string template)
    {
        var gens = new List<Gen<string>>();
        string? collection = null;
        foreach (var segment in template.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment.StartsWith('{'))
            {
                gens.Add(IdText(segment.Trim('{', '}'), collection, inPath: true));
            }
            else
            {
                collection = segment;
                gens.Add(Gen.Const(segment));
            }
        }

        return gens.Aggregate(Gen.Const(""), (acc, g) => acc.SelectMany(a => g.Select(s => $"{a}/{s}")));
    }

    /// <summary>Mostly a real id of the right kind, sometimes any real id, an unknown one or not an id at all.</summary>
    private Gen<string> IdText(string name, string? collection, bool inPath)
    {
        var own = world.IdsFor(name, collection);
        var all = world.AllIds;
        var notAnId = Gen.OneOf("not-a-guid", "0", "-1", "00000000-0000-0000-0000-000000000000", "1' OR '1'='1", "%00", "..", new string('f', 300));
        var choices = new List<(int, Gen<string>)>
        {
            (2, Gen.Int[0, all.Length - 1].Select(i => all[i].ToString())),
            (2, Gen.Guid.Select(g => g.ToString())),
            (1, notAnId.Select(s => inPath ? Uri.EscapeDataString(s) : s)),
        };
        if (own.Length > 0)
        {
            choices.Add((8, Gen.Int[0, own.Length - 1].Select(i => own[i].ToString())));
        }

        return Gen.Frequency([.. choices]);
    }

    private Gen<string?> QueryParameter(JsonElement parameter)
    {
        var name = parameter.GetProperty("name").GetString()!;
        var value = Text(parameter.GetProperty("schema"), name);
        return Gen.Frequency(
            (3, Nothing<string>()),
            (4, value.Select(v => (string?)$"{name}={Uri.EscapeDataString(v)}")),
            (1, HostileString.Select(v => (string?)$"{name}={Uri.EscapeDataString(v)}")));
    }

    /// <summary>A query value as text: numbers at and past their limits, dates far away, ids, words.</summary>
    private Gen<string> Text(JsonElement schema, string name)
    {
        var types = Types(schema);
        var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        if (types.Contains("integer"))
        {
            return Gen.Frequency((4, Gen.Int[-5, 1_000].Select(i => i.ToString(CultureInfo.InvariantCulture))),
                (1, Gen.OneOf("0", "-1", "2147483647", "2147483648", "-2147483649", "9223372036854775808", "1e3", "abc", "")));
        }

        if (types.Contains("boolean"))
        {
            return Gen.OneOf("true", "false", "yes", "1", "");
        }

        return format switch
        {
            "uuid" => IdText(name, null, inPath: false),
            "date-time" => DateTimeText,
            "date" => DateText,
            _ => Gen.Frequency((3, Gen.String[Gen.Char.AlphaNumeric, 0, 12]), (1, HostileString)),
        };
    }

    private static readonly Gen<string> DateTimeText = Gen.Frequency(
        (3, Gen.Int[-400, 800].SelectMany(days => Gen.Int[0, 96].Select(quarter =>
            DateTimeOffset.UtcNow.Date.AddDays(days).AddMinutes(15 * quarter).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)))),
        (1, Gen.OneOf("0001-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999Z", "1900-01-01T00:00:00+14:00", "2027-03-14T02:30:00-05:00",
            "2027-11-07T01:30:00-04:00", "1970-01-01T00:00:00Z", "2027-02-30T10:00:00Z", "yesterday")));

    private static readonly Gen<string> DateText = Gen.Frequency(
        (3, Gen.Int[-400, 800].Select(days => DateOnly.FromDateTime(DateTime.UtcNow).AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))),
        (1, Gen.OneOf("0001-01-01", "9999-12-31", "2028-02-29", "2027-02-29", "1900-01-01", "99999-01-01", "tomorrow")));

    private Gen<(string?, string?)> BodyGen(JsonElement schema)
    {
        var json = Json(schema, "body", 0);
        return Gen.Frequency(
            (16, json.Select(j => ((string?)"application/json", (string?)j))),
            (1, Gen.OneOf(BrokenBodies).Select(b => ((string?)"application/json", (string?)b))),
            (1, Gen.OneOf(OddContentTypes).SelectMany(t => json.Select(j => ((string?)t, (string?)j)))),
            (1, Gen.Const(NoBody)));
    }

    /// <summary>JSON text for a schema: usually valid, sometimes of the wrong type or null.</summary>
    private Gen<string> Json(JsonElement schema, string name, int depth)
    {
        var valid = ValidJson(Resolve(schema), name, depth);
        return depth == 0
            ? valid
            : Gen.Frequency((14, valid), (1, Gen.OneOf(WrongTypes)), (1, Gen.Const("null")));
    }

    private Gen<string> ValidJson(JsonElement schema, string name, int depth)
    {
        if (depth > 4)
        {
            return Gen.Const("null");
        }

        foreach (var combinator in new[] { "oneOf", "anyOf" })
        {
            if (schema.TryGetProperty(combinator, out var alternatives))
            {
                return Gen.OneOf([.. alternatives.EnumerateArray().Select(a => ValidJson(Resolve(a), name, depth))]);
            }
        }

        if (schema.TryGetProperty("enum", out var values))
        {
            return Gen.Frequency((6, Gen.OneOf([.. values.EnumerateArray().Select(v => v.GetRawText())])), (1, HostileString.Select(Quote)));
        }

        var types = Types(schema);
        if (types.Count == 0)
        {
            types = schema.TryGetProperty("properties", out _) ? ["object"] : ["string"];
        }

        return Gen.OneOf([.. types.Select(type => type switch
        {
            "object" => ObjectJson(schema, depth),
            "array" => ArrayJson(schema, name, depth),
            "integer" => Gen.Frequency((5, Gen.Int[-3, 600].Select(i => i.ToString(CultureInfo.InvariantCulture))),
                (1, Gen.OneOf("0", "-1", "2147483647", "2147483648", "-2147483649", "9223372036854775807", "1e400", "1.5", "-0"))),
            "number" => Gen.Frequency((5, Gen.Double[-1_000, 1_000].Select(d => d.ToString("R", CultureInfo.InvariantCulture))),
                (1, Gen.OneOf("0", "-0", "1e308", "-1e308", "1e-400", "1e400", "79228162514264337593543950336"))),
            "boolean" => Gen.OneOf("true", "false"),
            "null" => Gen.Const("null"),
            _ => StringJson(schema, name),
        })]);
    }

    private Gen<string> StringJson(JsonElement schema, string name)
    {
        var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        var maxLength = schema.TryGetProperty("maxLength", out var m) ? m.GetInt32() : 200;
        var text = format switch
        {
            "uuid" => IdText(name, null, inPath: false),
            "date-time" => DateTimeText,
            "date" => DateText,
            "time" => Gen.Frequency((3, Gen.Int[0, 95].Select(q => TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(15 * q)).ToString("HH:mm", CultureInfo.InvariantCulture))),
                (1, Gen.OneOf("00:00", "23:59:59.9999999", "24:00", "25:61", "noon"))),
            _ when name.Contains("email", StringComparison.OrdinalIgnoreCase) => Gen.Frequency(
                (3, Gen.String[Gen.Char.AlphaNumeric, 1, 12].Select(s => $"{s}@fuzz.example.test")), (1, HostileString)),
            _ => Gen.Frequency(
                (5, Gen.String[Gen.Char.AlphaNumeric, 1, Math.Clamp(maxLength, 1, 40)]),
                (2, HostileString),
                (1, Gen.String[0, 30]),
                (1, Gen.Const(new string('y', maxLength + 1)))),
        };
        return text.Select(Quote);
    }

    private Gen<string> ArrayJson(JsonElement schema, string name, int depth)
    {
        var maxItems = schema.TryGetProperty("maxItems", out var m) ? m.GetInt32() : 3;
        var item = schema.TryGetProperty("items", out var items) ? Json(items, name, depth + 1) : Gen.Const("null");
        return item.Array[0, Math.Min(maxItems + 1, 8)].Select(a => $"[{string.Join(',', a)}]");
    }

    private Gen<string> ObjectJson(JsonElement schema, int depth)
    {
        var required = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(x => x.GetString()!).ToHashSet() : [];
        var properties = schema.TryGetProperty("properties", out var p) ? p.EnumerateObject().ToList() : [];
        var members = properties.Aggregate(Gen.Const(new List<string>()), (acc, property) =>
        {
            var value = Json(property.Value, property.Name, depth + 1).Select(v => (string?)$"{Quote(property.Name)}:{v}");
            var member = required.Contains(property.Name)
                ? Gen.Frequency((20, value), (1, Nothing<string>()))
                : Gen.Frequency((2, value), (1, Nothing<string>()));
            return acc.SelectMany(list => member.Select(m => m is null ? list : [.. list, m]));
        });
        var extra = Gen.Frequency(
            (10, Nothing<string>()),
            (1, Gen.Const<string?>("\"unexpectedField\":\"x\"")),
            (1, Gen.Const<string?>("\"__proto__\":{\"isSuperAdmin\":true}")),
            (1, Gen.Const<string?>("\"id\":\"00000000-0000-0000-0000-000000000001\"")));
        return members.SelectMany(list => extra.Select(e => "{" + string.Join(',', e is null ? list : [.. list, e]) + "}"));
    }

    private JsonElement Resolve(JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!["#/components/schemas/".Length..])
            : schema;

    private static List<string> Types(JsonElement schema) =>
        !schema.TryGetProperty("type", out var type) ? []
        : type.ValueKind == JsonValueKind.Array ? [.. type.EnumerateArray().Select(t => t.GetString()!)]
        : [type.GetString()!];

    private static string Quote(string text) => JsonSerializer.Serialize(text, Relaxed);

    /// <summary>The request as an HttpRequestMessage; the body's bytes as generated, UTF-8 encoded.</summary>
    public static HttpRequestMessage ToMessage(FuzzRequest request)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path);
        if (request.Body is not null || request.ContentType is not null)
        {
            message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(request.Body ?? ""));
            if (request.ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            }
        }

        if (request.IdempotencyKey is not null)
        {
            message.Headers.TryAddWithoutValidation("Idempotency-Key", request.IdempotencyKey);
        }

        return message;
    }
}
