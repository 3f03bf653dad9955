package android.content.pm;

/** Test double of android.content.pm.Signature: a certificate's DER. */
public class Signature {
    private final byte[] der;

    public Signature(byte[] der) {
        this.der = der.clone();
    }

    public byte[] toByteArray() {
        return der.clone();
    }
}
