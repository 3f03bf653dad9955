//! The phone as the core sees it: [`PackageSource`] through `PackageManager`, [`Enforcer`] through
//! `DevicePolicyManager` and the app's two hooks (telling the employee, uninstalling).

use agent_core::{
    Changes, Device, Enforcer, Inventory, Management, Package, PackageSource, Power, Powers, Step,
    StepError, StepKind, Timestamp, Unreadable,
};
use jni::Env;
use jni::objects::{JObject, JString, JValue};

use crate::descriptors::*;
use crate::error::BridgeError;
use crate::java::{
    array_elements, bytes, call, call_static, field, new_object, new_string, object,
    single_string_array, static_field, string, string_array,
};

/// Local references one package may need (the package, its strings, signing info, each signer
/// and its bytes): generous, because `-Xcheck:jni` reports a frame that outgrows its capacity.
const FRAME_PER_PACKAGE: usize = 64;

/// The framework objects for one native call. Everything lives in the caller's local frame.
pub struct AndroidDevice<'a, 'local> {
    env: &'a mut Env<'local>,
    context: JObject<'local>,
    pm: JObject<'local>,
    dpm: JObject<'local>,
    admin: JObject<'local>,
    own_package: String,
    sdk: i32,
    powers: Powers,
    device: Device,
}

/// One reading of the phone's never-block set.
type EssentialsRead<'a, 'local> =
    fn(&mut AndroidDevice<'a, 'local>) -> Result<Vec<String>, BridgeError>;

/// DER certificates, as `Signature.toByteArray` gives them.
type Certificates = Vec<Vec<u8>>;

/// What one element of the installed-packages list turned out to be.
enum Read {
    // Boxed: most elements are installed packages, and the other variants stay small.
    Installed(Box<Package>),
    NotInstalled,
    Failed(Unreadable),
}

impl<'a, 'local> AndroidDevice<'a, 'local> {
    /// Looks up the package manager, the device-policy manager and the admin component, reads the
    /// SDK level, and whether this app is device or profile owner.
    pub fn new(
        env: &'a mut Env<'local>,
        context: &JObject<'_>,
        admin_receiver: &str,
        mut device: Device,
    ) -> Result<Self, BridgeError> {
        let sdk = static_field(env, &BUILD_VERSION_SDK_INT)?.i()?;
        let pm = object(call(env, context, &CONTEXT_GET_PACKAGE_MANAGER, &[])?)?;
        let own = call(env, context, &CONTEXT_GET_PACKAGE_NAME, &[])?;
        let own_package = string(env, object(own)?)?
            .ok_or_else(|| BridgeError::Request("the context has no package name".into()))?;
        let service = new_string(env, DEVICE_POLICY_SERVICE)?;
        let dpm = object(call(
            env,
            context,
            &CONTEXT_GET_SYSTEM_SERVICE,
            &[JValue::Object(&service)],
        )?)?;
        let class = if admin_receiver.starts_with('.') {
            format!("{own_package}{admin_receiver}")
        } else {
            admin_receiver.to_string()
        };
        let (pkg, cls) = (new_string(env, &own_package)?, new_string(env, &class)?);
        let admin = new_object(
            env,
            &COMPONENT_NAME_NEW,
            &[JValue::Object(&pkg), JValue::Object(&cls)],
        )?;
        let (device_owner, profile_owner) = if dpm.is_null() {
            (false, false)
        } else {
            (
                call(env, &dpm, &DPM_IS_DEVICE_OWNER_APP, &[JValue::Object(&pkg)])?.z()?,
                call(
                    env,
                    &dpm,
                    &DPM_IS_PROFILE_OWNER_APP,
                    &[JValue::Object(&pkg)],
                )?
                .z()?,
            )
        };
        let owner = device_owner || profile_owner;
        let management = if device_owner {
            Management::DeviceOwner
        } else if profile_owner {
            Management::ProfileOwner
        } else {
            Management::Unmanaged
        };
        // Its own frame: the scopes list and its strings are not needed after.
        let powers = env.with_local_frame(16, |env| {
            read_powers(env, context, &dpm, &pkg, sdk, management)
        })?;
        // A delegate passes null as the admin: a component that is not an active admin gets a
        // SecurityException (DevicePolicyManager, "Delegation").
        let admin = if owner { admin } else { JObject::null() };
        device.sdk = sdk.max(0) as u32;
        device.powers = Some(powers.clone());
        let context = env
            .new_local_ref(context)
            .map_err(|e| crate::java::cleared(env, "NewLocalRef", e))?;
        Ok(AndroidDevice {
            env,
            context,
            pm,
            dpm,
            admin,
            own_package,
            sdk,
            powers,
            device,
        })
    }

    /// The packages this phone cannot work without, as the platform names them: the default HOME
    /// app, the default SMS app, the current keyboard and the active device admins. Each is read
    /// on its own; one that cannot be read is left out (and logged), never a failed scan. (The
    /// default dialer is read through `TelecomManager.getDefaultDialerPackage`, which the API
    /// listing this adapter is checked against does not have; the platform refuses to suspend the
    /// dialer anyway, AOSP `SuspendPackageHelper`.)
    pub fn essentials(&mut self) -> Vec<String> {
        let reads: [(&str, EssentialsRead<'a, 'local>); 4] = [
            ("the default launcher", Self::home_app),
            ("the default SMS app", Self::sms_app),
            ("the current keyboard", Self::keyboard),
            ("the active device admins", Self::active_admins),
        ];
        let mut out: Vec<String> = Vec::new();
        for (what, read) in reads {
            match read(self) {
                Ok(found) => {
                    for p in found {
                        if !out.contains(&p) {
                            out.push(p);
                        }
                    }
                }
                Err(e) => log::warn!("could not read {what}: {e}"),
            }
        }
        out
    }

    fn home_app(&mut self) -> Result<Vec<String>, BridgeError> {
        let action = new_string(self.env, ACTION_MAIN)?;
        let intent = new_object(self.env, &INTENT_NEW, &[JValue::Object(&action)])?;
        let category = new_string(self.env, CATEGORY_HOME)?;
        call(
            self.env,
            &intent,
            &INTENT_ADD_CATEGORY,
            &[JValue::Object(&category)],
        )?;
        let info = object(call(
            self.env,
            &self.pm,
            &PM_RESOLVE_ACTIVITY,
            &[JValue::Object(&intent), JValue::Int(MATCH_DEFAULT_ONLY)],
        )?)?;
        if info.is_null() {
            return Ok(Vec::new());
        }
        let activity = object(field(self.env, &info, &RI_ACTIVITY_INFO)?)?;
        if activity.is_null() {
            return Ok(Vec::new());
        }
        let name = object(field(self.env, &activity, &PII_PACKAGE_NAME)?)?;
        Ok(string(self.env, name)?.into_iter().collect())
    }

    fn sms_app(&mut self) -> Result<Vec<String>, BridgeError> {
        let name = object(call_static(
            self.env,
            &SMS_GET_DEFAULT_SMS_PACKAGE,
            &[JValue::Object(&self.context)],
        )?)?;
        Ok(string(self.env, name)?.into_iter().collect())
    }

    fn keyboard(&mut self) -> Result<Vec<String>, BridgeError> {
        let resolver = object(call(
            self.env,
            &self.context,
            &CONTEXT_GET_CONTENT_RESOLVER,
            &[],
        )?)?;
        let key = new_string(self.env, DEFAULT_INPUT_METHOD)?;
        let value = object(call_static(
            self.env,
            &SECURE_GET_STRING,
            &[JValue::Object(&resolver), JValue::Object(&key)],
        )?)?;
        // `com.example.keyboard/.KeyboardService`: the package is before the slash.
        Ok(string(self.env, value)?
            .and_then(|v| v.split('/').next().map(str::to_string))
            .filter(|p| !p.is_empty())
            .into_iter()
            .collect())
    }

    fn active_admins(&mut self) -> Result<Vec<String>, BridgeError> {
        if self.dpm.is_null() {
            return Ok(Vec::new());
        }
        let list = object(call(self.env, &self.dpm, &DPM_GET_ACTIVE_ADMINS, &[])?)?;
        if list.is_null() {
            return Ok(Vec::new());
        }
        let count = call(self.env, &list, &LIST_SIZE, &[])?.i()?;
        let mut out = Vec::new();
        for i in 0..count {
            let admin = object(call(self.env, &list, &LIST_GET, &[JValue::Int(i)])?)?;
            let name = object(call(
                self.env,
                &admin,
                &COMPONENT_NAME_GET_PACKAGE_NAME,
                &[],
            )?)?;
            out.extend(string(self.env, name)?);
        }
        Ok(out)
    }

    /// Applies one hardening change and reads the setting back (before and after). Needs the
    /// agent to be owner; the platform's refusal of one setting is that setting's error.
    pub fn device_setting(
        &mut self,
        setting: agent_core::Setting,
        change: agent_core::SettingChange,
    ) -> Result<(bool, bool, Option<String>), BridgeError> {
        use agent_core::SettingChange;
        self.require(Power::DeviceSettings)?;
        let before = self.setting_on(setting)?;
        let error = match change {
            SettingChange::Leave => None,
            SettingChange::On | SettingChange::Off => {
                let on = change == SettingChange::On;
                self.set_setting(setting, on).err().map(|e| e.to_string())
            }
        };
        let after = self.setting_on(setting)?;
        Ok((before, after, error))
    }

    /// The user restrictions behind a setting (the global one exists from Android 10).
    fn restrictions(&self, setting: agent_core::Setting) -> Vec<&'static str> {
        match setting {
            agent_core::Setting::AutomaticTime => Vec::new(),
            agent_core::Setting::NoUnknownSources if self.sdk >= 29 => vec![
                DISALLOW_INSTALL_UNKNOWN_SOURCES,
                DISALLOW_INSTALL_UNKNOWN_SOURCES_GLOBALLY,
            ],
            agent_core::Setting::NoUnknownSources => vec![DISALLOW_INSTALL_UNKNOWN_SOURCES],
            agent_core::Setting::NoDebugging => vec![DISALLOW_DEBUGGING_FEATURES],
        }
    }

    fn set_setting(&mut self, setting: agent_core::Setting, on: bool) -> Result<(), BridgeError> {
        if setting == agent_core::Setting::AutomaticTime {
            let m = if self.sdk >= 30 {
                &DPM_SET_AUTO_TIME_ENABLED
            } else {
                &DPM_SET_AUTO_TIME_REQUIRED
            };
            call(
                self.env,
                &self.dpm,
                m,
                &[JValue::Object(&self.admin), JValue::Bool(on)],
            )?;
            return Ok(());
        }
        let m = if on {
            &DPM_ADD_USER_RESTRICTION
        } else {
            &DPM_CLEAR_USER_RESTRICTION
        };
        for key in self.restrictions(setting) {
            let key = new_string(self.env, key)?;
            call(
                self.env,
                &self.dpm,
                m,
                &[JValue::Object(&self.admin), JValue::Object(&key)],
            )?;
        }
        Ok(())
    }

    /// Whether the setting is in force, as the platform says (every restriction of it set).
    fn setting_on(&mut self, setting: agent_core::Setting) -> Result<bool, BridgeError> {
        if setting == agent_core::Setting::AutomaticTime {
            let on = if self.sdk >= 30 {
                call(
                    self.env,
                    &self.dpm,
                    &DPM_GET_AUTO_TIME_ENABLED,
                    &[JValue::Object(&self.admin)],
                )?
            } else {
                call(self.env, &self.dpm, &DPM_GET_AUTO_TIME_REQUIRED, &[])?
            };
            return Ok(on.z()?);
        }
        let set = object(call(
            self.env,
            &self.dpm,
            &DPM_GET_USER_RESTRICTIONS,
            &[JValue::Object(&self.admin)],
        )?)?;
        if set.is_null() {
            return Ok(false);
        }
        for key in self.restrictions(setting) {
            let key = new_string(self.env, key)?;
            let on = call(
                self.env,
                &set,
                &BUNDLE_GET_BOOLEAN,
                &[JValue::Object(&key), JValue::Bool(false)],
            )?
            .z()?;
            if !on {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// This app's package name.
    pub fn own_package(&self) -> &str {
        &self.own_package
    }

    /// `Build.VERSION.SDK_INT`.
    pub fn sdk(&self) -> i32 {
        self.sdk
    }

    /// Whether this app is device or profile owner.
    pub fn is_owner(&self) -> bool {
        matches!(
            self.powers.management,
            Management::DeviceOwner | Management::ProfileOwner
        )
    }

    fn require(&self, power: Power) -> Result<(), BridgeError> {
        require(&self.powers, &self.own_package, power)
    }

    /// The flags every package query uses: signing certificates, and hidden apps too.
    fn flags() -> i32 {
        GET_SIGNING_CERTIFICATES | MATCH_UNINSTALLED_PACKAGES
    }

    /// `PackageInfoFlags.of(flags)` from SDK 33, where the int overloads are deprecated.
    fn flags_object(&mut self) -> Result<JObject<'local>, BridgeError> {
        object(call_static(
            self.env,
            &PACKAGE_INFO_FLAGS_OF,
            &[JValue::Long(i64::from(Self::flags()))],
        )?)
    }

    fn installed_list(&mut self) -> Result<JObject<'local>, BridgeError> {
        if self.sdk >= 33 {
            let flags = self.flags_object()?;
            object(call(
                self.env,
                &self.pm,
                &PM_GET_INSTALLED_PACKAGES_FLAGS,
                &[JValue::Object(&flags)],
            )?)
        } else {
            object(call(
                self.env,
                &self.pm,
                &PM_GET_INSTALLED_PACKAGES,
                &[JValue::Int(Self::flags())],
            )?)
        }
    }

    /// Blocks uninstalling this app and sets the text of the system's "blocked by your
    /// organisation" dialog.
    pub fn protect_agent(&mut self, support_message: &str) -> Result<(), BridgeError> {
        self.require(Power::ProtectSelf)?;
        let own = new_string(self.env, &self.own_package)?;
        call(
            self.env,
            &self.dpm,
            &DPM_SET_UNINSTALL_BLOCKED,
            &[
                JValue::Object(&self.admin),
                JValue::Object(&own),
                JValue::Bool(true),
            ],
        )?;
        if !self.powers.may(Power::SupportMessage) {
            // Not delegable: the EMM's own support message shows in the system's dialogs.
            log::info!(
                "the support message is the EMM's to set ({})",
                self.powers.describe()
            );
            return Ok(());
        }
        let message = new_string(self.env, support_message)?;
        call(
            self.env,
            &self.dpm,
            &DPM_SET_SHORT_SUPPORT_MESSAGE,
            &[JValue::Object(&self.admin), JValue::Object(&message)],
        )?;
        Ok(())
    }

    fn reader(&self) -> Reader<'_, 'local> {
        Reader {
            pm: &self.pm,
            dpm: &self.dpm,
            admin: &self.admin,
            sdk: self.sdk,
            may_block: self.powers.may(Power::Block),
        }
    }
}

/// What carrying out a step needs, borrowed so that a local frame can use it.
struct Actor<'r, 'local> {
    dpm: &'r JObject<'local>,
    admin: &'r JObject<'local>,
    own_package: &'r str,
    powers: &'r Powers,
}

impl Actor<'_, '_> {
    fn require(&self, power: Power) -> Result<(), BridgeError> {
        require(self.powers, self.own_package, power)
    }

    fn apply(&self, env: &mut Env<'_>, step: &Step) -> Result<(), BridgeError> {
        let pkg = new_string(env, &step.package)?;
        match step.kind {
            StepKind::Suspend | StepKind::Unsuspend => {
                self.require(Power::Block)?;
                let suspend = step.kind == StepKind::Suspend;
                let names = single_string_array(env, &step.package)?;
                let args = [
                    JValue::Object(self.admin),
                    JValue::Object(&names),
                    JValue::Bool(suspend),
                ];
                let failed = object(call(env, self.dpm, &DPM_SET_PACKAGES_SUSPENDED, &args)?)?;
                if string_array(env, failed)?.contains(&step.package) {
                    let verb = if suspend { "suspend" } else { "unsuspend" };
                    return Err(BridgeError::Refused(format!(
                        "DevicePolicyManager could not {verb} {} (the platform protects it, or it is not installed)",
                        step.package
                    )));
                }
                Ok(())
            }
            StepKind::Hide | StepKind::Unhide => {
                self.require(Power::Block)?;
                let hide = step.kind == StepKind::Hide;
                let now = call(
                    env,
                    self.dpm,
                    &DPM_IS_APPLICATION_HIDDEN,
                    &[JValue::Object(self.admin), JValue::Object(&pkg)],
                )?
                .z()?;
                // setApplicationHidden answers false when nothing changes: look first.
                if now == hide {
                    return Ok(());
                }
                let args = [
                    JValue::Object(self.admin),
                    JValue::Object(&pkg),
                    JValue::Bool(hide),
                ];
                if call(env, self.dpm, &DPM_SET_APPLICATION_HIDDEN, &args)?.z()? {
                    Ok(())
                } else {
                    Err(BridgeError::Refused(format!(
                        "DevicePolicyManager could not {} {}",
                        if hide { "hide" } else { "show" },
                        step.package
                    )))
                }
            }
            // The employee is told by the app, through the typed API's `EmployeeNotifier`, which
            // takes warnings before they reach the device; one that gets here had no notifier.
            StepKind::Warn => warn_without_notifier(env, step, &pkg),
            StepKind::Uninstall => {
                self.require(Power::Uninstall)?;
                let reason = object(call_static(
                    env,
                    &APP_UNINSTALL_PACKAGE,
                    &[JValue::Object(&pkg)],
                )?)?;
                match string(env, reason)? {
                    None => Ok(()),
                    Some(reason) => Err(BridgeError::Refused(format!(
                        "uninstalling {} failed: {reason}",
                        step.package
                    ))),
                }
            }
        }
    }
}

/// What reading one package needs, borrowed so that a local frame can use it.
struct Reader<'r, 'local> {
    pm: &'r JObject<'local>,
    dpm: &'r JObject<'local>,
    admin: &'r JObject<'local>,
    sdk: i32,
    may_block: bool,
}

impl Reader<'_, '_> {
    /// Reads one `PackageInfo`. A failure after the name is known becomes [`Read::Failed`] so the
    /// scan goes on; the failed call's exception has been caught and cleared.
    fn read(&self, env: &mut Env<'_>, info: &JObject<'_>, fallback_name: &str) -> Read {
        let name = match field(env, info, &PI_PACKAGE_NAME)
            .and_then(object)
            .and_then(|o| string(env, o))
        {
            Ok(Some(n)) => n,
            Ok(None) => {
                return Read::Failed(Unreadable {
                    name: fallback_name.into(),
                    error: "the package has no name".into(),
                });
            }
            Err(e) => {
                return Read::Failed(Unreadable {
                    name: fallback_name.into(),
                    error: e.to_string(),
                });
            }
        };
        match self.details(env, info, &name) {
            Ok(Some(p)) => Read::Installed(Box::new(p)),
            Ok(None) => Read::NotInstalled,
            Err(e) => Read::Failed(Unreadable {
                name,
                error: e.to_string(),
            }),
        }
    }

    fn details(
        &self,
        env: &mut Env<'_>,
        info: &JObject<'_>,
        name: &str,
    ) -> Result<Option<Package>, BridgeError> {
        let app = object(field(env, info, &PI_APPLICATION_INFO)?)?;
        let flags = if app.is_null() {
            0
        } else {
            field(env, &app, &AI_FLAGS)?.i()?
        };
        // Listed because of MATCH_UNINSTALLED_PACKAGES but removed (its data kept): not installed.
        if flags & FLAG_INSTALLED == 0 {
            return Ok(None);
        }
        let version_code = call(env, info, &PI_GET_LONG_VERSION_CODE, &[])?.j()?;
        let version_name = object(field(env, info, &PI_VERSION_NAME)?)
            .and_then(|o| string(env, o))?
            .unwrap_or_default();
        let first_install = field(env, info, &PI_FIRST_INSTALL_TIME)?.j()?;
        let last_update = field(env, info, &PI_LAST_UPDATE_TIME)?.j()?;
        let (signers, signing_history) = self.signers(env, info)?;
        let pkg = new_string(env, name)?;
        // From Android 11 the installer of record comes with the package that really performed
        // the install and the one it acted for; before, only the (settable) installer of record.
        let (installer, initiating_installer, originating_installer) = if self.sdk >= 30 {
            let source = object(call(
                env,
                self.pm,
                &PM_GET_INSTALL_SOURCE_INFO,
                &[JValue::Object(&pkg)],
            )?)?;
            if source.is_null() {
                (None, None, None)
            } else {
                let mut name = |m| -> Result<Option<String>, BridgeError> {
                    object(call(env, &source, m, &[])?).and_then(|o| string(env, o))
                };
                (
                    name(&ISI_GET_INSTALLING_PACKAGE_NAME)?,
                    name(&ISI_GET_INITIATING_PACKAGE_NAME)?,
                    name(&ISI_GET_ORIGINATING_PACKAGE_NAME)?,
                )
            }
        } else {
            let installer = object(call(
                env,
                self.pm,
                &PM_GET_INSTALLER_PACKAGE_NAME,
                &[JValue::Object(&pkg)],
            )?)
            .and_then(|o| string(env, o))?;
            (installer, None, None)
        };
        let hidden = self.may_block
            && !self.dpm.is_null()
            && call(
                env,
                self.dpm,
                &DPM_IS_APPLICATION_HIDDEN,
                &[JValue::Object(self.admin), JValue::Object(&pkg)],
            )?
            .z()?;
        let mut package = Package {
            name: name.to_string(),
            version_code,
            version_name,
            installer,
            initiating_installer,
            originating_installer,
            system: flags & (FLAG_SYSTEM | FLAG_UPDATED_SYSTEM_APP) != 0,
            signers: Vec::new(),
            signing_history: Vec::new(),
            signers_sha1: Vec::new(),
            signing_history_sha1: Vec::new(),
            first_install: Timestamp::from_unix(first_install / 1000),
            last_update: Timestamp::from_unix(last_update / 1000),
            suspended: flags & FLAG_SUSPENDED != 0,
            hidden,
            label: self.label(env, &app, name)?,
        };
        // Both digests of each certificate: policies name signers by SHA-256, indicator feeds by SHA-1.
        package.set_signers_from_der(&signers, &signing_history);
        Ok(Some(package))
    }

    /// The label the employee sees, if the app has one other than its package name (which the
    /// platform answers for an app without a label: AOSP `PackageItemInfo#loadLabel`).
    fn label(
        &self,
        env: &mut Env<'_>,
        app: &JObject<'_>,
        name: &str,
    ) -> Result<Option<String>, BridgeError> {
        if app.is_null() {
            return Ok(None);
        }
        let label = object(call(
            env,
            self.pm,
            &PM_GET_APPLICATION_LABEL,
            &[JValue::Object(app)],
        )?)?;
        if label.is_null() {
            return Ok(None);
        }
        let text = object(call(env, &label, &CHAR_SEQUENCE_TO_STRING, &[])?)?;
        Ok(string(env, text)?.filter(|t| !t.trim().is_empty() && t != name))
    }

    /// The DER of the current signers, and of the earlier certificates of a rotated key (the
    /// history holds the whole lineage, current last, and exists only for a single signer).
    fn signers(
        &self,
        env: &mut Env<'_>,
        info: &JObject<'_>,
    ) -> Result<(Certificates, Certificates), BridgeError> {
        let signing = object(field(env, info, &PI_SIGNING_INFO)?)?;
        if signing.is_null() {
            return Ok((Vec::new(), Vec::new()));
        }
        let multiple = call(env, &signing, &SI_HAS_MULTIPLE_SIGNERS, &[])?.z()?;
        let current_signers = object(call(env, &signing, &SI_GET_APK_CONTENTS_SIGNERS, &[])?)?;
        let current = certificates(env, current_signers)?;
        let history = if multiple {
            Vec::new()
        } else {
            let lineage = object(call(
                env,
                &signing,
                &SI_GET_SIGNING_CERTIFICATE_HISTORY,
                &[],
            )?)?;
            let all = certificates(env, lineage)?;
            all.into_iter().filter(|d| !current.contains(d)).collect()
        };
        Ok((current, history))
    }
}

/// The DER certificate of each `Signature` in the array (`Signature.toByteArray`).
fn certificates<'local>(
    env: &mut Env<'local>,
    array: JObject<'local>,
) -> Result<Certificates, BridgeError> {
    let mut out = Vec::new();
    for sig in array_elements(env, array)? {
        let encoded = object(call(env, &sig, &SIGNATURE_TO_BYTE_ARRAY, &[])?)?;
        out.push(bytes(env, encoded)?);
    }
    Ok(out)
}

/// A warning that reached the device: the app registered no `EmployeeNotifier`, so the employee
/// cannot be told, and the step fails (recorded as not told, retried at the next scan).
fn warn_without_notifier(
    _env: &mut Env<'_>,
    step: &Step,
    _pkg: &JString<'_>,
) -> Result<(), BridgeError> {
    Err(BridgeError::Refused(format!(
        "the employee could not be told about {}: the app registered no EmployeeNotifier",
        step.package
    )))
}

impl AndroidDevice<'_, '_> {
    /// The last guard of the rule that no error path leaves a Java exception pending (ART's
    /// CheckJNI aborts at the next call made with one): every job of the device ends here, and a
    /// failure that left one (a `PushLocalFrame` out of memory, say) has it caught and cleared.
    fn settled<T, E>(&mut self, result: Result<T, E>) -> Result<T, E> {
        if result.is_err() && self.env.exception_check() {
            let e =
                crate::java::cleared(self.env, "the adapter", jni::errors::Error::JavaException);
            log::warn!("cleared an exception a failure left pending: {e}");
        }
        result
    }
}

impl PackageSource for AndroidDevice<'_, '_> {
    fn inventory(&mut self) -> Result<Inventory, agent_core::Error> {
        let result = self.read_inventory();
        self.settled(result)
    }

    fn package(&mut self, name: &str) -> Result<Option<Package>, agent_core::Error> {
        let result = self.read_package(name);
        self.settled(result)
    }

    /// Read when this object was made, at the start of the native call: an EMM can change the
    /// scopes between two installs, and the install path must not act on old powers.
    fn powers(&mut self) -> Result<Option<Powers>, agent_core::Error> {
        Ok(Some(self.powers.clone()))
    }

    fn changed_since(&mut self, sequence: u32) -> Result<Option<Changes>, agent_core::Error> {
        let result = self.read_changes(sequence);
        self.settled(result)
    }
}

impl AndroidDevice<'_, '_> {
    fn read_inventory(&mut self) -> Result<Inventory, agent_core::Error> {
        let list = self.installed_list()?;
        let count = call(self.env, &list, &LIST_SIZE, &[]).and_then(|v| Ok(v.i()?))?;
        let reader = Reader {
            pm: &self.pm,
            dpm: &self.dpm,
            admin: &self.admin,
            sdk: self.sdk,
            may_block: self.powers.may(Power::Block),
        };
        let mut packages = Vec::with_capacity(count.max(0) as usize);
        let mut unreadable = Vec::new();
        for i in 0..count {
            // One local frame per package: thousands of packages never fill the reference table.
            let read =
                self.env
                    .with_local_frame(FRAME_PER_PACKAGE, |env| -> Result<Read, BridgeError> {
                        let info = object(call(env, &list, &LIST_GET, &[JValue::Int(i)])?)?;
                        Ok(reader.read(env, &info, &format!("package #{i}")))
                    });
            match read.map_err(agent_core::Error::from)? {
                Read::Installed(p) => packages.push(*p),
                Read::NotInstalled => {}
                Read::Failed(u) => unreadable.push(u),
            }
        }
        let mut device = self.device.clone();
        device.essentials = self.essentials();
        Ok(Inventory {
            device,
            packages,
            unreadable,
        })
    }

    fn read_package(&mut self, name: &str) -> Result<Option<Package>, agent_core::Error> {
        let pkg = new_string(self.env, name)?;
        let info = if self.sdk >= 33 {
            let flags = self.flags_object()?;
            call(
                self.env,
                &self.pm,
                &PM_GET_PACKAGE_INFO_FLAGS,
                &[JValue::Object(&pkg), JValue::Object(&flags)],
            )
        } else {
            call(
                self.env,
                &self.pm,
                &PM_GET_PACKAGE_INFO,
                &[JValue::Object(&pkg), JValue::Int(Self::flags())],
            )
        };
        let info = match info {
            Ok(v) => object(v)?,
            Err(BridgeError::Thrown { class, .. }) if class.ends_with("NameNotFoundException") => {
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        };
        let reader = self.reader();
        let read = self
            .env
            .with_local_frame(FRAME_PER_PACKAGE, |env| -> Result<Read, BridgeError> {
                Ok(reader.read(env, &info, name))
            });
        match read.map_err(agent_core::Error::from)? {
            Read::Installed(p) => Ok(Some(*p)),
            Read::NotInstalled => Ok(None),
            Read::Failed(u) => Err(agent_core::Error::PackageSource(format!(
                "{}: {}",
                u.name, u.error
            ))),
        }
    }

    fn read_changes(&mut self, sequence: u32) -> Result<Option<Changes>, agent_core::Error> {
        let changed = object(call(
            self.env,
            &self.pm,
            &PM_GET_CHANGED_PACKAGES,
            &[JValue::Int(sequence as i32)],
        )?)?;
        if changed.is_null() {
            return Ok(None);
        }
        let next = call(self.env, &changed, &CP_GET_SEQUENCE_NUMBER, &[])?
            .i()
            .map_err(BridgeError::from)?;
        let names = object(call(self.env, &changed, &CP_GET_PACKAGE_NAMES, &[])?)?;
        let count = call(self.env, &names, &LIST_SIZE, &[])?
            .i()
            .map_err(BridgeError::from)?;
        let mut packages = Vec::with_capacity(count.max(0) as usize);
        for i in 0..count {
            let name = self
                .env
                .with_local_frame(4, |env| -> Result<Option<String>, BridgeError> {
                    let s = object(call(env, &names, &LIST_GET, &[JValue::Int(i)])?)?;
                    string(env, s)
                });
            packages.extend(name.map_err(agent_core::Error::from)?);
        }
        Ok(Some(Changes {
            sequence: next.max(0) as u32,
            packages,
        }))
    }
}

impl Enforcer for AndroidDevice<'_, '_> {
    fn apply(&mut self, step: &Step) -> Result<(), StepError> {
        let actor = Actor {
            dpm: &self.dpm,
            admin: &self.admin,
            own_package: &self.own_package,
            powers: &self.powers,
        };
        // Each step in its own frame, so a long plan does not pile up references.
        let result = self.env.with_local_frame(16, |env| actor.apply(env, step));
        let result = self.settled(result);
        result.map_err(|e| {
            log::warn!("{} {} failed: {e}", step.kind.as_str(), step.package);
            let text = e.to_string();
            match e {
                BridgeError::NotOwner { .. } => StepError::NotOwner(text),
                BridgeError::Refused(_) => StepError::Refused(text),
                BridgeError::Thrown { .. }
                | BridgeError::Jni(_)
                | BridgeError::Core(_)
                | BridgeError::Request(_) => StepError::Platform(text),
            }
        })
    }
}

/// The agent's error when it may not do something here.
fn require(powers: &Powers, own_package: &str, power: Power) -> Result<(), BridgeError> {
    if powers.may(power) {
        Ok(())
    } else {
        Err(BridgeError::NotOwner {
            package: own_package.to_string(),
            power: power.as_str(),
            mode: powers.describe(),
        })
    }
}

/// The agent's mode and powers as the platform says: owner, or the scopes the owner delegated
/// (`getDelegatedScopes(null, own package)`, Android 8+), and the user it runs as.
fn read_powers(
    env: &mut Env<'_>,
    context: &JObject<'_>,
    dpm: &JObject<'_>,
    own: &JObject<'_>,
    sdk: i32,
    management: Management,
) -> Result<Powers, BridgeError> {
    let uid = call_static(env, &PROCESS_MY_UID, &[])?.i()?;
    let user = (uid / PER_USER_RANGE).max(0) as u32;
    let work_profile = if sdk >= 30 {
        let service = new_string(env, USER_SERVICE)?;
        let um = object(call(
            env,
            context,
            &CONTEXT_GET_SYSTEM_SERVICE,
            &[JValue::Object(&service)],
        )?)?;
        !um.is_null() && call(env, &um, &USER_MANAGER_IS_MANAGED_PROFILE, &[])?.z()?
    } else {
        // Before Android 11 the public API cannot tell; a profile's user is never 0.
        user != 0
    };
    let mut powers = Powers {
        management,
        scopes: Vec::new(),
        user,
        work_profile,
    };
    if management != Management::Unmanaged || dpm.is_null() || sdk < 26 {
        return Ok(powers);
    }
    let list = object(call(
        env,
        dpm,
        &DPM_GET_DELEGATED_SCOPES,
        &[JValue::Object(&JObject::null()), JValue::Object(own)],
    )?)?;
    if !list.is_null() {
        let count = call(env, &list, &LIST_SIZE, &[])?.i()?;
        for i in 0..count {
            let scope = object(call(env, &list, &LIST_GET, &[JValue::Int(i)])?)?;
            powers.scopes.extend(string(env, scope)?);
        }
    }
    powers.scopes.sort();
    if !powers.scopes.is_empty() {
        powers.management = Management::Delegate;
    }
    Ok(powers)
}
