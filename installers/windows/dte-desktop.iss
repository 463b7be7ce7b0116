; DTE Desktop — Inno Setup 6 script: per-machine install of the PyInstaller onedir bundle.
;
; Build on Windows, after `pyinstaller build_spec.spec` made dist\dte-desktop\:
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 installers\windows\dte-desktop.iss
;   -> dist\dte-desktop-0.1.0-windows-x64-setup.exe
;   (/DBundleDir=… and /DOutDir=… override the folders; paths are relative to this script.)
;
; Install silently (as an administrator, no network needed):
;   dte-desktop-0.1.0-windows-x64-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART ^
;       /SITEFILE="\\fileserver\it\dte\site.toml" /TASKS="addtopath" /LOG="C:\Windows\Temp\dte-setup.log"
;   /SITEFILE=…   copies that file to %ProgramData%\dte-desktop\site.toml (read-only for users)
;   /TASKS=…      addtopath (puts dte.exe on the system PATH), desktopicon
;   /DIR="D:\Apps\DTE Desktop"  another install folder
; Uninstall silently:
;   "C:\Program Files\DTE Desktop\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
;   (the site file and users' data are kept)
; Upgrades: the old program folder's bundle (_internal\) is emptied first ([InstallDelete]),
; so no library of the previous version survives beside the new one. A downgrade (an older
; version over a newer one) is refused, silently too (exit code 1, reason in the /LOG), unless
; /ALLOWDOWNGRADE is given.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\dte-desktop"
#endif
#ifndef OutDir
  #define OutDir "..\..\dist"
#endif
#define AppName "DTE Desktop"
; the product's AppId (never change it): upgrades, uninstall and the downgrade check use it
#define AppGuid "6E0C5B1E-7D4B-4C1F-9A53-2F1D5C7B9E41"
#define AppExe "dte-desktop.exe"
#define SiteDir "{commonappdata}\dte-desktop"

[Setup]
; AppId identifies the product for upgrades and uninstall: never change it.
AppId={{{#AppGuid}}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=DTE Desktop developers
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; per-machine: Program Files, HKLM, all users' Start menu
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutDir}
OutputBaseFilename=dte-desktop-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\resources\icons\dte-desktop.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesEnvironment=yes
CloseApplications=yes
RestartApplications=no
SetupLogging=yes
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add the dte command-line tool to the system PATH"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "..\site.example.toml"; DestDir: "{#SiteDir}"; Flags: ignoreversion
Source: "..\..\resources\icons\dte-desktop.ico"; DestDir: "{app}"; Flags: ignoreversion

[InstallDelete]
; the previous version's files: a library it shipped and this one does not must not stay
Type: filesandordirs; Name: "{app}\_internal"
Type: files; Name: "{app}\dte-desktop.exe"
Type: files; Name: "{app}\dte.exe"
Type: files; Name: "{app}\THIRD-PARTY-NOTICES"

[Dirs]
; the site folder: administrators and SYSTEM may write, users only read (set below with icacls)
Name: "{#SiteDir}"; Flags: uninsneveruninstall

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; IconFilename: "{app}\dte-desktop.ico"; Comment: "Profile, preview (masked) and export SQL data"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; IconFilename: "{app}\dte-desktop.ico"; Tasks: desktopicon

[Registry]
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
; users read the site folder, only Administrators (S-1-5-32-544) and SYSTEM (S-1-5-18) write it;
; well-known SIDs work whatever the Windows language. Inherited "create files" rights are cut.
Filename: "{sys}\icacls.exe"; Parameters: """{#SiteDir}"" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX"; Flags: runhidden waituntilterminated; StatusMsg: "Securing the site configuration folder…"
; offer to start the app after an interactive install (skipped in silent installs)
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
function SiteFileParam(): String;
begin
  Result := ExpandConstant('{param:SITEFILE|}');
end;

function InstalledVersion(): String;
var
  Key: String;
begin
  Result := '';
  // Inno Setup's uninstall key: the AppId in braces, then _is1
  Key := 'Software\Microsoft\Windows\CurrentVersion\Uninstall\' + '{' + '{#AppGuid}' + '}_is1';
  if not RegQueryStringValue(HKLM64, Key, 'DisplayVersion', Result) then
    Result := '';
end;

function CmdLineHas(Flag: String): Boolean;
var
  I: Integer;
begin
  Result := False;
  for I := 1 to ParamCount do
    if CompareText(ParamStr(I), Flag) = 0 then
      Result := True;
end;

function IsDowngrade(Installed: String): Boolean;
var
  Old, New: Int64;
begin
  Result := False;
  if (Installed = '') or (not StrToVersion(Installed, Old)) then
    exit;
  if not StrToVersion('{#AppVersion}', New) then
    exit;
  Result := ComparePackedVersion(New, Old) < 0;
end;

function InitializeSetup(): Boolean;
var
  Site, Installed: String;
begin
  Result := True;
  Installed := InstalledVersion();
  if IsDowngrade(Installed) and (not CmdLineHas('/ALLOWDOWNGRADE')) then
  begin
    Log('Refusing to downgrade ' + Installed + ' to {#AppVersion} (pass /ALLOWDOWNGRADE to force)');
    SuppressibleMsgBox('{#AppName} ' + Installed + ' is installed; this setup holds the older ' +
      '{#AppVersion}. Uninstall it first, or run this setup with /ALLOWDOWNGRADE.',
      mbError, MB_OK, IDOK);
    Result := False;
    exit;
  end;
  Site := SiteFileParam();
  if (Site <> '') and (not FileExists(Site)) then
  begin
    SuppressibleMsgBox('The site file given with /SITEFILE does not exist: ' + Site, mbError, MB_OK, IDOK);
    Result := False;
  end;
end;

procedure CurStepChanged(CurStep: TSetupStep);
var
  Site, Dest: String;
begin
  if CurStep = ssPostInstall then
  begin
    Site := SiteFileParam();
    if Site <> '' then
    begin
      Dest := ExpandConstant('{#SiteDir}\site.toml');
      if not FileCopy(Site, Dest, False) then
        SuppressibleMsgBox('Could not copy the site file to ' + Dest, mbError, MB_OK, IDOK)
      else
        Log('Site file installed: ' + Dest);
    end;
  end;
end;

function NeedsAddPath(Dir: String): Boolean;
var
  Path: String;
begin
  if not RegQueryStringValue(HKLM, 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment', 'Path', Path) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Path) + ';') = 0;
end;

procedure RemoveFromPath(Dir: String);
var
  Path: String;
  P: Integer;
begin
  if not RegQueryStringValue(HKLM, 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment', 'Path', Path) then
    exit;
  P := Pos(';' + Uppercase(Dir), Uppercase(Path));
  if P > 0 then
  begin
    Delete(Path, P, Length(Dir) + 1);
    RegWriteExpandStringValue(HKLM, 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment', 'Path', Path);
  end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
    RemoveFromPath(ExpandConstant('{app}'));
end;
