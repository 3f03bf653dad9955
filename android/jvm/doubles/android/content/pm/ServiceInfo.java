package android.content.pm;

/** Test double of android.content.pm.ServiceInfo: the foreground-service types. */
public class ServiceInfo extends ComponentInfo {
    public static final int FOREGROUND_SERVICE_TYPE_DATA_SYNC = 1;
    public static final int FOREGROUND_SERVICE_TYPE_SPECIAL_USE = 1073741824;
    public static final int FOREGROUND_SERVICE_TYPE_SYSTEM_EXEMPTED = 1024;

    ServiceInfo() {}
}
