package android.content;

/** Test double of android.content.BroadcastReceiver. */
public abstract class BroadcastReceiver {
    public BroadcastReceiver() {}

    public abstract void onReceive(Context context, Intent intent);

    public final PendingResult goAsync() {
        PendingResult r = new PendingResult();
        appwacht.doubles.FakeDevice.pendingResults.add(r);
        return r;
    }

    public static class PendingResult {
        private boolean finished;

        PendingResult() {}

        public final void finish() {
            finished = true;
        }

        /** Not platform API: package-private, for the fake's bookkeeping. */
        boolean finishedForTest() {
            return finished;
        }
    }
}
