using System.Text.Json.Serialization;
using Healthcare.Api.Platform;

namespace Healthcare.Api.Features.Identity;

/// <summary>Generated serialization for sign-in and refresh answers (see <see cref="GeneratedJson"/>).</summary>
[JsonSerializable(typeof(TokenResponse))]
internal sealed partial class IdentityJsonContext : JsonSerializerContext;
