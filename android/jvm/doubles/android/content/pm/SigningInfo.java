package android.content.pm;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Test double of android.content.pm.SigningInfo. */
public final class SigningInfo {
    private final List<Signature> signers;
    private final List<Signature> past;

    public SigningInfo() {
        this.signers = new ArrayList<>();
        this.past = new ArrayList<>();
    }

    public SigningInfo(SigningInfo other) {
        this.signers = new ArrayList<>(other.signers);
        this.past = new ArrayList<>(other.past);
    }

    public SigningInfo(int schemeVersion, Collection<Signature> signers, Collection<java.security.PublicKey> publicKeys,
            Collection<Signature> pastSigningCertificates) {
        this.signers = signers == null ? new ArrayList<>() : new ArrayList<>(signers);
        this.past = pastSigningCertificates == null ? new ArrayList<>() : new ArrayList<>(pastSigningCertificates);
    }

    public boolean hasMultipleSigners() {
        return signers.size() > 1;
    }

    public boolean hasPastSigningCertificates() {
        return !past.isEmpty();
    }

    public Signature[] getApkContentsSigners() {
        return signers.toArray(new Signature[0]);
    }

    /** As on the platform: the lineage, oldest first and the current signer last; null with several signers. */
    public Signature[] getSigningCertificateHistory() {
        if (hasMultipleSigners()) {
            return null;
        }
        List<Signature> all = new ArrayList<>(past);
        all.addAll(signers);
        return all.toArray(new Signature[0]);
    }
}
