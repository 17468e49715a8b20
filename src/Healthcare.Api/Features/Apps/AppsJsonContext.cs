using System.Text.Json.Serialization;

namespace Healthcare.Api.Features.Apps;

/// <summary>Generated serialization for the apps area (see <see cref="Platform.GeneratedJson"/>).</summary>
[JsonSerializable(typeof(AppDto))]
[JsonSerializable(typeof(List<AppDto>))]
[JsonSerializable(typeof(RegisterAppRequest))]
[JsonSerializable(typeof(SmartConfigurationDocument))]
[JsonSerializable(typeof(PublicKeySet))]
[JsonSerializable(typeof(AuthorizedAppDto))]
[JsonSerializable(typeof(List<AuthorizedAppDto>))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class AppsJsonContext : JsonSerializerContext;
