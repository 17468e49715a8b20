using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Healthcare.Api.Features.Identity.Authentication;

/// <summary>
/// Token signature checks that remember their successes. A client sends the same access token with every request
/// for up to its lifetime, and an ECDSA verification costs about as much CPU as the rest of the token's checks
/// together; so a signature that verified once under a key is not verified again. Only the public-key arithmetic
/// is skipped: issuer, audience, lifetime and revocation are still checked on every request. An entry is the
/// SHA-256 of the signed bytes and the signature, held per validation key, so only the exact bytes that verified
/// hit it; failures are never remembered.
/// </summary>
public sealed class VerifiedSignatures : CryptoProviderFactory
{
    /// <summary>Remembered signatures per key; when full, the memory starts over (the next checks verify again).</summary>
    public const int Capacity = 100_000;

    private const int MaxKeys = 32;

    private readonly ConcurrentDictionary<(SecurityKey Key, string Algorithm), RememberingVerifier> _verifiers = new();

    public override SignatureProvider CreateForVerifying(SecurityKey key, string algorithm) =>
        CreateForVerifying(key, algorithm, cacheProvider: true);

    public override SignatureProvider CreateForVerifying(SecurityKey key, string algorithm, bool cacheProvider)
    {
        // Validation keys are a handful of long-lived objects; this bound only guards against a caller that makes
        // new key objects all the time.
        if (_verifiers.Count >= MaxKeys && !_verifiers.ContainsKey((key, algorithm)))
        {
            _verifiers.Clear();
        }

        return _verifiers.GetOrAdd((key, algorithm), static (k, factory) =>
            new RememberingVerifier(factory.CreateVerifier(k.Key, k.Algorithm)), this);
    }

    public override void ReleaseSignatureProvider(SignatureProvider signatureProvider)
    {
        // Remembering verifiers live as long as the factory; the handler releases each after use.
        if (signatureProvider is not RememberingVerifier)
        {
            base.ReleaseSignatureProvider(signatureProvider);
        }
    }

    /// <summary>Signatures remembered over all keys.</summary>
    internal int Remembered => _verifiers.Values.Sum(verifier => verifier.Count);

    private SignatureProvider CreateVerifier(SecurityKey key, string algorithm) => base.CreateForVerifying(key, algorithm, true);

    private sealed class RememberingVerifier(SignatureProvider inner) : SignatureProvider(inner.Key, inner.Algorithm)
    {
        private readonly ConcurrentDictionary<(UInt128, UInt128), byte> _verified = new();

        public int Count => _verified.Count;

        public override byte[] Sign(byte[] input) => throw new NotSupportedException("A verifier does not sign.");

        public override bool Verify(byte[] input, byte[] signature) =>
            Verify(input, 0, input.Length, signature, 0, signature.Length);

        public override bool Verify(byte[] input, int inputOffset, int inputLength, byte[] signature, int signatureOffset, int signatureLength)
        {
            var id = Fingerprint(input.AsSpan(inputOffset, inputLength), signature.AsSpan(signatureOffset, signatureLength));
            if (_verified.ContainsKey(id))
            {
                return true;
            }

            if (!inner.Verify(input, inputOffset, inputLength, signature, signatureOffset, signatureLength))
            {
                return false;
            }

            if (_verified.Count >= Capacity)
            {
                _verified.Clear();
            }

            _verified.TryAdd(id, 0);
            return true;
        }

        protected override void Dispose(bool disposing)
        {
        }

        /// <summary>SHA-256 over the signature and the signed bytes.</summary>
        private static (UInt128, UInt128) Fingerprint(ReadOnlySpan<byte> signed, ReadOnlySpan<byte> signature)
        {
            var length = signature.Length + signed.Length;
            var rented = length > 2048 ? ArrayPool<byte>.Shared.Rent(length) : null;
            var buffer = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
            signature.CopyTo(buffer);
            signed.CopyTo(buffer[signature.Length..]);
            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(buffer, digest);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            return (BinaryPrimitives.ReadUInt128LittleEndian(digest), BinaryPrimitives.ReadUInt128LittleEndian(digest[16..]));
        }
    }
}
