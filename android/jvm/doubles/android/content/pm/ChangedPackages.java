package android.content.pm;

import java.util.ArrayList;
import java.util.List;

/** Test double of android.content.pm.ChangedPackages. */
public final class ChangedPackages {
    private final int sequence;
    private final List<String> names;

    public ChangedPackages(int sequenceNumber, List<String> packageNames) {
        this.sequence = sequenceNumber;
        this.names = new ArrayList<>(packageNames);
    }

    public int getSequenceNumber() {
        return sequence;
    }

    public List<String> getPackageNames() {
        return names;
    }
}
