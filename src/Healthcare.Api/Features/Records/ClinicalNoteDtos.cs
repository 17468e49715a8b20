using System.ComponentModel.DataAnnotations;
using Healthcare.Api.Platform;
using Healthcare.Core.Records;
using Healthcare.Core.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Healthcare.Api.Features.Records;

/// <summary>A note's content: its kind, its body (stored encrypted) and optionally the encounter it documents.</summary>
public sealed record NoteRequest(
    [property: Required, MaxLength(32), OneOf(typeof(NoteKinds))] string Kind,
    [property: Required, MinLength(1), MaxLength(RecordRules.MaxNoteLength)] string Body,
    Guid? EncounterId)
{
    public ValidationProblem? Validate()
    {
        if (!NoteKinds.All.Contains(Kind))
        {
            return Problems.Field("kind", $"Use one of: {string.Join(", ", NoteKinds.All)}.");
        }

        return string.IsNullOrWhiteSpace(Body) ? Problems.Field("body", "The note is empty.") : null;
    }
}

/// <summary>A correction or addition appended to a signed note.</summary>
public sealed record AmendmentRequest([property: Required, MinLength(1), MaxLength(RecordRules.MaxNoteLength)] string Body)
{
    public ValidationProblem? Validate() => string.IsNullOrWhiteSpace(Body) ? Problems.Field("body", "The amendment is empty.") : null;
}

/// <summary>
/// A clinical note with its amendments, oldest first. A draft has no <c>signedAt</c>; only its author edits and
/// signs it. The patient sees the note once it is signed and <c>released</c>.
/// </summary>
public sealed record NoteDto(
    Guid Id,
    Guid PatientId,
    Guid? EncounterId,
    [property: OneOf(typeof(NoteKinds))] string Kind,
    string Body,
    Guid AuthorUserId,
    string? AuthorName,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? SignedAt,
    bool Released,
    DateTimeOffset? ReleasedAt,
    IReadOnlyList<AmendmentDto> Amendments);

public sealed record AmendmentDto(Guid Id, Guid NoteId, string Body, Guid AuthorUserId, string? AuthorName, DateTimeOffset CreatedAt);

/// <summary>The response shape of a note and its amendments.</summary>
public static class ClinicalNoteMapping
{
    public static NoteDto ToDto(this ClinicalNote n, FieldEncryption encryption, IReadOnlyDictionary<Guid, string> names) => new(
        n.Id, n.PatientId, n.EncounterId, n.Kind, encryption.Decrypt(n.BodyEncrypted)!, n.AuthorUserId, names.GetValueOrDefault(n.AuthorUserId),
        n.CreatedAt, n.UpdatedAt, n.SignedAt, n.Released, n.ReleasedAt,
        n.Amendments.OrderBy(a => a.Id).Select(a => a.ToDto(encryption, names)).ToList());

    public static AmendmentDto ToDto(this NoteAmendment a, FieldEncryption encryption, IReadOnlyDictionary<Guid, string> names) => new(
        a.Id, a.NoteId, encryption.Decrypt(a.BodyEncrypted)!, a.AuthorUserId, names.GetValueOrDefault(a.AuthorUserId), a.CreatedAt);
}
