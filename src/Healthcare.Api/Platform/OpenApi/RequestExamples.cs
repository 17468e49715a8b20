using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Healthcare.Api.Platform;

/// <summary>
/// Gives every request body in the document an example built from its final schema: fields a reader recognises
/// (names, e-mail, phone, vital signs, durations, days) take a plausible value, other enums their first code,
/// identifiers a stable UUID per field and dates and times one day in spring 2027; every field is shown, optional
/// ones included.
/// The contract tests and Redocly check that each example is valid against its schema.
/// </summary>
internal static class RequestExamples
{
    private const int MaxDepth = 6;

    /// <summary>Plausible values by field name; a field's type and bounds still decide when absent here.</summary>
    private static readonly Dictionary<string, JsonNode> ByField = new(StringComparer.Ordinal)
    {
        ["email"] = "alex.morgan@example.com",
        ["newEmail"] = "alex.morgan@example.org",
        ["password"] = "correct-horse-battery-staple",
        ["currentPassword"] = "correct-horse-battery-staple",
        ["newPassword"] = "staple-battery-horse-correct",
        ["mfaCode"] = "492039",
        ["code"] = "492039",
        ["token"] = "token-from-the-e-mail-link...",
        ["refreshToken"] = "refresh-token-from-sign-in...",
        ["displayName"] = "Alex Morgan",
        ["givenName"] = "Alex",
        ["familyName"] = "Morgan",
        ["name"] = "Riverside Family Practice",
        ["title"] = "Dr",
        ["bio"] = "Family physician with an interest in preventive care.",
        ["phone"] = "+1 555 010 0123",
        ["timeZone"] = "America/New_York",
        ["line1"] = "200 River Street",
        ["line2"] = "Suite 4",
        ["city"] = "Springfield",
        ["region"] = "IL",
        ["postalCode"] = "62701",
        ["country"] = "US",
        ["gender"] = "female",
        ["preferredLanguage"] = "en",
        ["relationship"] = "spouse",
        ["nationalId"] = "123-45-6789",
        ["insurerName"] = "Acme Health",
        ["insuranceMemberId"] = "ACM-0042-7781",
        ["licenceNumber"] = "IL-036-112233",
        ["role"] = "doctor",
        ["specialties"] = new JsonArray("general-practice"),
        ["reason"] = "The patient asked to move the visit.",
        ["body"] = "Seen for a routine check; no concerns.",
        ["substance"] = "Penicillin",
        ["reaction"] = "Hives",
        ["condition"] = "Essential hypertension",
        ["icd10Code"] = "I10",
        ["normalizedIcd10Code"] = "I10",
        ["drug"] = "Lisinopril",
        ["dose"] = "10 mg",
        ["frequency"] = "once daily",
        ["instructions"] = "Take in the morning.",
        ["systolicMmHg"] = 122,
        ["diastolicMmHg"] = 78,
        ["heartRatePerMin"] = 72,
        ["temperatureCelsius"] = 36.8,
        ["spo2Percent"] = 98,
        ["heightCm"] = 172,
        ["weightKg"] = 70.5,
        ["durationMinutes"] = 30,
        ["bufferMinutes"] = 10,
        ["cancellationWindowHours"] = 24,
        ["noShowGraceMinutes"] = 15,
        ["waitlistHoldMinutes"] = 120,
        ["occurrences"] = 6,
        ["intervalWeeks"] = 2,
        ["reminderOffsetsMinutes"] = new JsonArray(1440, 60),
        ["dateOfBirth"] = "1984-05-17",
        ["onsetDate"] = "2026-11-02",
        ["startDate"] = "2026-11-02",
        ["fromDate"] = "2027-03-01",
        ["toDate"] = "2027-03-31",
        ["endDate"] = "2027-05-02",
        ["resolvedDate"] = "2027-01-10",
        ["day"] = "monday",
        ["starts"] = "08:30",
        ["ends"] = "17:00",
        ["opens"] = "08:30",
        ["closes"] = "17:00",
        ["startsAt"] = "2027-03-15T14:30:00Z",
        ["firstStartsAt"] = "2027-03-15T14:30:00Z",
        ["endsAt"] = "2027-03-15T15:00:00Z",
        ["from"] = "2027-03-15T09:00:00Z",
        ["measuredAt"] = "2027-03-15T14:40:00Z",
        ["startedAt"] = "2027-03-15T14:35:00Z",
        ["endedAt"] = "2027-03-15T14:55:00Z",
    };

    public static void Describe(OpenApiDocument document)
    {
        foreach (var operation in (document.Paths ?? []).Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []))
        {
            foreach (var media in (operation.RequestBody?.Content ?? new Dictionary<string, OpenApiMediaType>()).Values)
            {
                if (media.Schema is { } schema)
                {
                    media.Example ??= Example(document, schema, field: null, depth: 0);
                }
            }
        }
    }

    private static JsonNode? Example(OpenApiDocument document, IOpenApiSchema schema, string? field, int depth)
    {
        schema = Resolve(document, schema);
        if (schema.OneOf is { Count: > 0 } alternatives)
        {
            var value = alternatives.Select(a => Resolve(document, a)).FirstOrDefault(a => a.Type != JsonSchemaType.Null);
            return value is null ? null : Example(document, value, field, depth);
        }

        if (field is not null && ByField.TryGetValue(field, out var known)
            && (schema.Enum is not { Count: > 0 } allowed || allowed.Any(code => JsonNode.DeepEquals(code, known))))
        {
            return known.DeepClone();
        }

        if (schema.Enum is { Count: > 0 } codes)
        {
            return codes.FirstOrDefault(c => c is not null)?.DeepClone();
        }

        return ((schema.Type ?? 0) & ~JsonSchemaType.Null) switch
        {
            JsonSchemaType.Object when depth < MaxDepth => new JsonObject((schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
                .Select(p => KeyValuePair.Create(p.Key, Example(document, p.Value, p.Key, depth + 1)))),
            JsonSchemaType.Array when schema.Items is { } items && depth < MaxDepth => new JsonArray(Example(document, items, field, depth + 1)),
            JsonSchemaType.String => schema.Format switch
            {
                "uuid" => StableId(field ?? "id"),
                "date-time" => "2027-03-15T14:30:00Z",
                "date" => "2027-03-15",
                _ => schema.Pattern == SchemaRules.TimeOfDayPattern ? "09:00" : "text",
            },
            JsonSchemaType.Integer or JsonSchemaType.Number => Bound(schema.Minimum) ?? Bound(schema.Maximum) ?? 1,
            JsonSchemaType.Boolean => false,
            _ => null,
        };
    }

    private static IOpenApiSchema Resolve(OpenApiDocument document, IOpenApiSchema schema) =>
        schema is OpenApiSchemaReference { Reference.Id: { } id } && document.Components?.Schemas?.TryGetValue(id, out var target) == true
            ? target
            : schema;

    private static decimal? Bound(string? value) =>
        decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;

    /// <summary>The same UUID for a field name wherever it appears, so an example reads consistently.</summary>
    private static string StableId(string field) => new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(field)).AsSpan(0, 16)).ToString();
}
