package android.app;

/** Test double of android.app.Notification. */
public class Notification implements android.os.Parcelable {
    CharSequence title;
    CharSequence text;

    public Notification() {}

    public static class Builder {
        private final Notification n = new Notification();

        public Builder(android.content.Context context, String channelId) {}

        public Builder setSmallIcon(int icon) {
            return this;
        }

        public Builder setContentTitle(CharSequence title) {
            n.title = title;
            return this;
        }

        public Builder setContentText(CharSequence text) {
            n.text = text;
            return this;
        }

        public Builder setContentIntent(PendingIntent intent) {
            return this;
        }

        public Builder setAutoCancel(boolean autoCancel) {
            return this;
        }

        public Builder setOngoing(boolean ongoing) {
            return this;
        }

        public Notification build() {
            return n;
        }
    }
}
