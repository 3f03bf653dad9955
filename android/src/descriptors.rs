//! Every Java member this crate uses, in one table: class, name, JNI descriptor and kind.
//!
//! The tests check each `android.*` entry against the platform's public API listing
//! (`current-subset.txt`), each `nl.appwacht.*` entry against the app's own Java classes, and the
//! constants below against the values the listing gives. Nothing here may be guessed: a member
//! missing from the listing must be added to the listing first.

/// How a member is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An instance method.
    Method,
    /// A static method.
    StaticMethod,
    /// An instance field.
    Field,
    /// A static field.
    StaticField,
    /// A constructor (`<init>`).
    Constructor,
}

/// One Java member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    /// Binary class name with slashes (`android/content/pm/PackageManager$PackageInfoFlags`).
    pub class: &'static str,
    /// Member name (`<init>` for constructors).
    pub name: &'static str,
    /// JNI descriptor.
    pub descriptor: &'static str,
    /// Method, field, static or constructor.
    pub kind: Kind,
    /// The first SDK level that has it (the app's minSdk is 28).
    pub since: u32,
}

macro_rules! members {
    ($( $(#[$doc:meta])* $id:ident = $kind:ident $class:literal $name:literal $desc:literal since $since:literal; )*) => {
        $( $(#[$doc])* pub const $id: Member = Member { class: $class, name: $name, descriptor: $desc, kind: Kind::$kind, since: $since }; )*
        /// Every member in this table.
        pub const ALL: &[Member] = &[$($id),*];
    };
}

members! {
    /// `Context.getPackageManager()`.
    CONTEXT_GET_PACKAGE_MANAGER = Method "android/content/Context" "getPackageManager" "()Landroid/content/pm/PackageManager;" since 1;
    /// `Context.getPackageName()`.
    CONTEXT_GET_PACKAGE_NAME = Method "android/content/Context" "getPackageName" "()Ljava/lang/String;" since 1;
    /// `Context.getSystemService(String)`.
    CONTEXT_GET_SYSTEM_SERVICE = Method "android/content/Context" "getSystemService" "(Ljava/lang/String;)Ljava/lang/Object;" since 1;

    /// `PackageManager.getInstalledPackages(int)`, before 33.
    PM_GET_INSTALLED_PACKAGES = Method "android/content/pm/PackageManager" "getInstalledPackages" "(I)Ljava/util/List;" since 1;
    /// `PackageManager.getInstalledPackages(PackageInfoFlags)`, from 33.
    PM_GET_INSTALLED_PACKAGES_FLAGS = Method "android/content/pm/PackageManager" "getInstalledPackages" "(Landroid/content/pm/PackageManager$PackageInfoFlags;)Ljava/util/List;" since 33;
    /// `PackageManager.getPackageInfo(String, int)`, before 33.
    PM_GET_PACKAGE_INFO = Method "android/content/pm/PackageManager" "getPackageInfo" "(Ljava/lang/String;I)Landroid/content/pm/PackageInfo;" since 1;
    /// `PackageManager.getPackageInfo(String, PackageInfoFlags)`, from 33.
    PM_GET_PACKAGE_INFO_FLAGS = Method "android/content/pm/PackageManager" "getPackageInfo" "(Ljava/lang/String;Landroid/content/pm/PackageManager$PackageInfoFlags;)Landroid/content/pm/PackageInfo;" since 33;
    /// `PackageManager.getInstallSourceInfo(String)`, from 30.
    PM_GET_INSTALL_SOURCE_INFO = Method "android/content/pm/PackageManager" "getInstallSourceInfo" "(Ljava/lang/String;)Landroid/content/pm/InstallSourceInfo;" since 30;
    /// `PackageManager.getInstallerPackageName(String)`, before 30 (deprecated after).
    PM_GET_INSTALLER_PACKAGE_NAME = Method "android/content/pm/PackageManager" "getInstallerPackageName" "(Ljava/lang/String;)Ljava/lang/String;" since 1;
    /// `PackageManager.getChangedPackages(int)`.
    PM_GET_CHANGED_PACKAGES = Method "android/content/pm/PackageManager" "getChangedPackages" "(I)Landroid/content/pm/ChangedPackages;" since 26;
    /// `PackageManager.PackageInfoFlags.of(long)`.
    PACKAGE_INFO_FLAGS_OF = StaticMethod "android/content/pm/PackageManager$PackageInfoFlags" "of" "(J)Landroid/content/pm/PackageManager$PackageInfoFlags;" since 33;

    /// `PackageInfo.packageName`.
    PI_PACKAGE_NAME = Field "android/content/pm/PackageInfo" "packageName" "Ljava/lang/String;" since 1;
    /// `PackageInfo.versionName`.
    PI_VERSION_NAME = Field "android/content/pm/PackageInfo" "versionName" "Ljava/lang/String;" since 1;
    /// `PackageInfo.applicationInfo`.
    PI_APPLICATION_INFO = Field "android/content/pm/PackageInfo" "applicationInfo" "Landroid/content/pm/ApplicationInfo;" since 1;
    /// `PackageInfo.firstInstallTime` (ms).
    PI_FIRST_INSTALL_TIME = Field "android/content/pm/PackageInfo" "firstInstallTime" "J" since 9;
    /// `PackageInfo.lastUpdateTime` (ms).
    PI_LAST_UPDATE_TIME = Field "android/content/pm/PackageInfo" "lastUpdateTime" "J" since 9;
    /// `PackageInfo.signingInfo`.
    PI_SIGNING_INFO = Field "android/content/pm/PackageInfo" "signingInfo" "Landroid/content/pm/SigningInfo;" since 28;
    /// `PackageInfo.getLongVersionCode()`.
    PI_GET_LONG_VERSION_CODE = Method "android/content/pm/PackageInfo" "getLongVersionCode" "()J" since 28;
    /// `ApplicationInfo.flags`.
    AI_FLAGS = Field "android/content/pm/ApplicationInfo" "flags" "I" since 1;

    /// `SigningInfo.getApkContentsSigners()`.
    SI_GET_APK_CONTENTS_SIGNERS = Method "android/content/pm/SigningInfo" "getApkContentsSigners" "()[Landroid/content/pm/Signature;" since 28;
    /// `SigningInfo.getSigningCertificateHistory()`.
    SI_GET_SIGNING_CERTIFICATE_HISTORY = Method "android/content/pm/SigningInfo" "getSigningCertificateHistory" "()[Landroid/content/pm/Signature;" since 28;
    /// `SigningInfo.hasMultipleSigners()`.
    SI_HAS_MULTIPLE_SIGNERS = Method "android/content/pm/SigningInfo" "hasMultipleSigners" "()Z" since 28;
    /// `Signature.toByteArray()`: the certificate's DER.
    SIGNATURE_TO_BYTE_ARRAY = Method "android/content/pm/Signature" "toByteArray" "()[B" since 1;
    /// `InstallSourceInfo.getInstallingPackageName()`.
    ISI_GET_INSTALLING_PACKAGE_NAME = Method "android/content/pm/InstallSourceInfo" "getInstallingPackageName" "()Ljava/lang/String;" since 30;
    /// `InstallSourceInfo.getInitiatingPackageName()`: who really performed the install.
    ISI_GET_INITIATING_PACKAGE_NAME = Method "android/content/pm/InstallSourceInfo" "getInitiatingPackageName" "()Ljava/lang/String;" since 30;
    /// `InstallSourceInfo.getOriginatingPackageName()`.
    ISI_GET_ORIGINATING_PACKAGE_NAME = Method "android/content/pm/InstallSourceInfo" "getOriginatingPackageName" "()Ljava/lang/String;" since 30;
    /// `ChangedPackages.getSequenceNumber()`.
    CP_GET_SEQUENCE_NUMBER = Method "android/content/pm/ChangedPackages" "getSequenceNumber" "()I" since 26;
    /// `ChangedPackages.getPackageNames()`.
    CP_GET_PACKAGE_NAMES = Method "android/content/pm/ChangedPackages" "getPackageNames" "()Ljava/util/List;" since 26;

    /// `DevicePolicyManager.isDeviceOwnerApp(String)`.
    DPM_IS_DEVICE_OWNER_APP = Method "android/app/admin/DevicePolicyManager" "isDeviceOwnerApp" "(Ljava/lang/String;)Z" since 18;
    /// `DevicePolicyManager.isProfileOwnerApp(String)`.
    DPM_IS_PROFILE_OWNER_APP = Method "android/app/admin/DevicePolicyManager" "isProfileOwnerApp" "(Ljava/lang/String;)Z" since 21;
    /// `DevicePolicyManager.setPackagesSuspended(ComponentName, String[], boolean)`: returns those it could not change.
    DPM_SET_PACKAGES_SUSPENDED = Method "android/app/admin/DevicePolicyManager" "setPackagesSuspended" "(Landroid/content/ComponentName;[Ljava/lang/String;Z)[Ljava/lang/String;" since 24;
    /// `DevicePolicyManager.isApplicationHidden(ComponentName, String)`.
    DPM_IS_APPLICATION_HIDDEN = Method "android/app/admin/DevicePolicyManager" "isApplicationHidden" "(Landroid/content/ComponentName;Ljava/lang/String;)Z" since 21;
    /// `DevicePolicyManager.setApplicationHidden(ComponentName, String, boolean)`.
    DPM_SET_APPLICATION_HIDDEN = Method "android/app/admin/DevicePolicyManager" "setApplicationHidden" "(Landroid/content/ComponentName;Ljava/lang/String;Z)Z" since 21;
    /// `DevicePolicyManager.setUninstallBlocked(ComponentName, String, boolean)`.
    DPM_SET_UNINSTALL_BLOCKED = Method "android/app/admin/DevicePolicyManager" "setUninstallBlocked" "(Landroid/content/ComponentName;Ljava/lang/String;Z)V" since 21;
    /// `DevicePolicyManager.setShortSupportMessage(ComponentName, CharSequence)`.
    DPM_SET_SHORT_SUPPORT_MESSAGE = Method "android/app/admin/DevicePolicyManager" "setShortSupportMessage" "(Landroid/content/ComponentName;Ljava/lang/CharSequence;)V" since 24;
    /// `new ComponentName(String, String)`.
    COMPONENT_NAME_NEW = Constructor "android/content/ComponentName" "<init>" "(Ljava/lang/String;Ljava/lang/String;)V" since 1;
    /// `Build.VERSION.SDK_INT`.
    BUILD_VERSION_SDK_INT = StaticField "android/os/Build$VERSION" "SDK_INT" "I" since 4;

    /// `List.size()`.
    LIST_SIZE = Method "java/util/List" "size" "()I" since 1;
    /// `List.get(int)`.
    LIST_GET = Method "java/util/List" "get" "(I)Ljava/lang/Object;" since 1;

    /// `PackageManager.getApplicationLabel(ApplicationInfo)`: the name on the home screen.
    PM_GET_APPLICATION_LABEL = Method "android/content/pm/PackageManager" "getApplicationLabel" "(Landroid/content/pm/ApplicationInfo;)Ljava/lang/CharSequence;" since 1;
    /// `CharSequence.toString()`.
    CHAR_SEQUENCE_TO_STRING = Method "java/lang/CharSequence" "toString" "()Ljava/lang/String;" since 1;
    /// `DevicePolicyManager.setAutoTimeEnabled(ComponentName, boolean)`, from 30.
    DPM_SET_AUTO_TIME_ENABLED = Method "android/app/admin/DevicePolicyManager" "setAutoTimeEnabled" "(Landroid/content/ComponentName;Z)V" since 30;
    /// `DevicePolicyManager.getAutoTimeEnabled(ComponentName)`, from 30.
    DPM_GET_AUTO_TIME_ENABLED = Method "android/app/admin/DevicePolicyManager" "getAutoTimeEnabled" "(Landroid/content/ComponentName;)Z" since 30;
    /// `DevicePolicyManager.setAutoTimeRequired(ComponentName, boolean)`, before 30.
    DPM_SET_AUTO_TIME_REQUIRED = Method "android/app/admin/DevicePolicyManager" "setAutoTimeRequired" "(Landroid/content/ComponentName;Z)V" since 21;
    /// `DevicePolicyManager.getAutoTimeRequired()`, before 30.
    DPM_GET_AUTO_TIME_REQUIRED = Method "android/app/admin/DevicePolicyManager" "getAutoTimeRequired" "()Z" since 21;
    /// `DevicePolicyManager.addUserRestriction(ComponentName, String)`.
    DPM_ADD_USER_RESTRICTION = Method "android/app/admin/DevicePolicyManager" "addUserRestriction" "(Landroid/content/ComponentName;Ljava/lang/String;)V" since 21;
    /// `DevicePolicyManager.clearUserRestriction(ComponentName, String)`.
    DPM_CLEAR_USER_RESTRICTION = Method "android/app/admin/DevicePolicyManager" "clearUserRestriction" "(Landroid/content/ComponentName;Ljava/lang/String;)V" since 21;
    /// `DevicePolicyManager.getUserRestrictions(ComponentName)`: what this admin has set.
    DPM_GET_USER_RESTRICTIONS = Method "android/app/admin/DevicePolicyManager" "getUserRestrictions" "(Landroid/content/ComponentName;)Landroid/os/Bundle;" since 24;
    /// `BaseBundle.getBoolean(String, boolean)`.
    BUNDLE_GET_BOOLEAN = Method "android/os/BaseBundle" "getBoolean" "(Ljava/lang/String;Z)Z" since 21;
    /// `new Intent(String)`.
    INTENT_NEW = Constructor "android/content/Intent" "<init>" "(Ljava/lang/String;)V" since 1;
    /// `Intent.addCategory(String)`.
    INTENT_ADD_CATEGORY = Method "android/content/Intent" "addCategory" "(Ljava/lang/String;)Landroid/content/Intent;" since 1;
    /// `PackageManager.resolveActivity(Intent, int)`: the default HOME app.
    PM_RESOLVE_ACTIVITY = Method "android/content/pm/PackageManager" "resolveActivity" "(Landroid/content/Intent;I)Landroid/content/pm/ResolveInfo;" since 1;
    /// `ResolveInfo.activityInfo`.
    RI_ACTIVITY_INFO = Field "android/content/pm/ResolveInfo" "activityInfo" "Landroid/content/pm/ActivityInfo;" since 1;
    /// `PackageItemInfo.packageName` (of an `ActivityInfo`).
    PII_PACKAGE_NAME = Field "android/content/pm/PackageItemInfo" "packageName" "Ljava/lang/String;" since 1;
    /// `Telephony.Sms.getDefaultSmsPackage(Context)`.
    SMS_GET_DEFAULT_SMS_PACKAGE = StaticMethod "android/provider/Telephony$Sms" "getDefaultSmsPackage" "(Landroid/content/Context;)Ljava/lang/String;" since 19;
    /// `Context.getContentResolver()`.
    CONTEXT_GET_CONTENT_RESOLVER = Method "android/content/Context" "getContentResolver" "()Landroid/content/ContentResolver;" since 1;
    /// `Settings.Secure.getString(ContentResolver, String)`: the current keyboard.
    SECURE_GET_STRING = StaticMethod "android/provider/Settings$Secure" "getString" "(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;" since 3;
    /// `DevicePolicyManager.getActiveAdmins()`.
    DPM_GET_ACTIVE_ADMINS = Method "android/app/admin/DevicePolicyManager" "getActiveAdmins" "()Ljava/util/List;" since 8;
    /// `ComponentName.getPackageName()`.
    COMPONENT_NAME_GET_PACKAGE_NAME = Method "android/content/ComponentName" "getPackageName" "()Ljava/lang/String;" since 1;

    /// `DevicePolicyManager.getDelegatedScopes(ComponentName, String)`: a delegate asks with a null admin.
    DPM_GET_DELEGATED_SCOPES = Method "android/app/admin/DevicePolicyManager" "getDelegatedScopes" "(Landroid/content/ComponentName;Ljava/lang/String;)Ljava/util/List;" since 26;
    /// `Process.myUid()`: the user is the uid's `PER_USER_RANGE` part (AOSP `UserHandle#getUserId`).
    PROCESS_MY_UID = StaticMethod "android/os/Process" "myUid" "()I" since 1;
    /// `UserManager.isManagedProfile()`: whether the calling user is a work profile.
    USER_MANAGER_IS_MANAGED_PROFILE = Method "android/os/UserManager" "isManagedProfile" "()Z" since 30;

    /// The app's hook to uninstall through `PackageInstaller`; returns null or the reason it failed.
    APP_UNINSTALL_PACKAGE = StaticMethod "nl/appwacht/agent/NativeBridge" "uninstallPackage" "(Ljava/lang/String;)Ljava/lang/String;" since 28;
}

/// `Intent.ACTION_MAIN` and `Intent.CATEGORY_HOME`: the HOME resolution.
pub const ACTION_MAIN: &str = "android.intent.action.MAIN";
/// `Intent.CATEGORY_HOME`.
pub const CATEGORY_HOME: &str = "android.intent.category.HOME";
/// `Settings.Secure.DEFAULT_INPUT_METHOD`: `package/.Service` of the current keyboard.
pub const DEFAULT_INPUT_METHOD: &str = "default_input_method";
/// `PackageManager.MATCH_DEFAULT_ONLY`.
pub const MATCH_DEFAULT_ONLY: i32 = 65536;
/// `UserManager.DISALLOW_INSTALL_UNKNOWN_SOURCES`.
pub const DISALLOW_INSTALL_UNKNOWN_SOURCES: &str = "no_install_unknown_sources";
/// `UserManager.DISALLOW_INSTALL_UNKNOWN_SOURCES_GLOBALLY` (Android 10+).
pub const DISALLOW_INSTALL_UNKNOWN_SOURCES_GLOBALLY: &str = "no_install_unknown_sources_globally";
/// `UserManager.DISALLOW_DEBUGGING_FEATURES`.
pub const DISALLOW_DEBUGGING_FEATURES: &str = "no_debugging_features";

/// The exception class every error reaches the app as.
pub const AGENT_EXCEPTION: &str = "nl/appwacht/agent/AgentException";

/// Constants from the listing, by `(class, field)`: the tests compare each with the listing.
pub const CONSTANTS: &[(&str, &str, i64)] = &[
    (
        "android/content/pm/PackageManager",
        "MATCH_DEFAULT_ONLY",
        MATCH_DEFAULT_ONLY as i64,
    ),
    (
        "android/content/pm/PackageManager",
        "GET_SIGNING_CERTIFICATES",
        GET_SIGNING_CERTIFICATES as i64,
    ),
    (
        "android/content/pm/PackageManager",
        "MATCH_UNINSTALLED_PACKAGES",
        MATCH_UNINSTALLED_PACKAGES as i64,
    ),
    (
        "android/content/pm/ApplicationInfo",
        "FLAG_SYSTEM",
        FLAG_SYSTEM as i64,
    ),
    (
        "android/content/pm/ApplicationInfo",
        "FLAG_UPDATED_SYSTEM_APP",
        FLAG_UPDATED_SYSTEM_APP as i64,
    ),
    (
        "android/content/pm/ApplicationInfo",
        "FLAG_INSTALLED",
        FLAG_INSTALLED as i64,
    ),
    (
        "android/content/pm/ApplicationInfo",
        "FLAG_SUSPENDED",
        FLAG_SUSPENDED as i64,
    ),
];

/// `Context.DEVICE_POLICY_SERVICE`.
pub const DEVICE_POLICY_SERVICE: &str = "device_policy";
/// `Context.USER_SERVICE`.
pub const USER_SERVICE: &str = "user";
/// The uids of one Android user (AOSP `UserHandle.PER_USER_RANGE`, not public API): user 10's
/// apps run as 1010xxx.
pub const PER_USER_RANGE: i32 = 100_000;
/// `PackageManager.GET_SIGNING_CERTIFICATES`.
pub const GET_SIGNING_CERTIFICATES: i32 = 0x0800_0000;
/// `PackageManager.MATCH_UNINSTALLED_PACKAGES`: also lists hidden apps (they must stay visible,
/// or the agent would think an app it hid was uninstalled and forget its block).
pub const MATCH_UNINSTALLED_PACKAGES: i32 = 0x2000;
/// `ApplicationInfo.FLAG_SYSTEM`.
pub const FLAG_SYSTEM: i32 = 0x1;
/// `ApplicationInfo.FLAG_UPDATED_SYSTEM_APP`.
pub const FLAG_UPDATED_SYSTEM_APP: i32 = 0x80;
/// `ApplicationInfo.FLAG_INSTALLED`.
pub const FLAG_INSTALLED: i32 = 0x0080_0000;
/// `ApplicationInfo.FLAG_SUSPENDED`.
pub const FLAG_SUSPENDED: i32 = 0x4000_0000;

/// String constants from the listing, by `(class, field)`.
pub const STRING_CONSTANTS: &[(&str, &str, &str)] = &[
    (
        "android/content/Context",
        "DEVICE_POLICY_SERVICE",
        DEVICE_POLICY_SERVICE,
    ),
    ("android/content/Context", "USER_SERVICE", USER_SERVICE),
    (
        "android/app/admin/DevicePolicyManager",
        "DELEGATION_PACKAGE_ACCESS",
        agent_core::PACKAGE_ACCESS,
    ),
    (
        "android/app/admin/DevicePolicyManager",
        "DELEGATION_BLOCK_UNINSTALL",
        agent_core::BLOCK_UNINSTALL,
    ),
    (
        "android/app/admin/DevicePolicyManager",
        "DELEGATION_PERMISSION_GRANT",
        agent_core::PERMISSION_GRANT,
    ),
    ("android/content/Intent", "ACTION_MAIN", ACTION_MAIN),
    ("android/content/Intent", "CATEGORY_HOME", CATEGORY_HOME),
    (
        "android/provider/Settings$Secure",
        "DEFAULT_INPUT_METHOD",
        DEFAULT_INPUT_METHOD,
    ),
    (
        "android/os/UserManager",
        "DISALLOW_INSTALL_UNKNOWN_SOURCES",
        DISALLOW_INSTALL_UNKNOWN_SOURCES,
    ),
    (
        "android/os/UserManager",
        "DISALLOW_INSTALL_UNKNOWN_SOURCES_GLOBALLY",
        DISALLOW_INSTALL_UNKNOWN_SOURCES_GLOBALLY,
    ),
    (
        "android/os/UserManager",
        "DISALLOW_DEBUGGING_FEATURES",
        DISALLOW_DEBUGGING_FEATURES,
    ),
];
