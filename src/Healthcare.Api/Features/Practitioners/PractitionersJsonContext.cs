using System.Text.Json.Serialization;
using Healthcare.Api.Platform;

namespace Healthcare.Api.Features.Practitioners;

/// <summary>Generated serialization for the practitioner directory (see <see cref="GeneratedJson"/>).</summary>
[JsonSerializable(typeof(PractitionerDto))]
[JsonSerializable(typeof(Page<PractitionerDto>))]
internal sealed partial class PractitionersJsonContext : JsonSerializerContext;
