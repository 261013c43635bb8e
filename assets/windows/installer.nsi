; xc-avatar Windows installer (NSIS 3, 64-bit Unicode). Built on Linux by scripts/windows-installer
; with Debian's nsis, whose amd64-unicode stubs official Windows builds of NSIS lack:
;   makensis -DVERSION=0.1.0 -DEXE=/abs/xc-avatar.exe -DCOM=/abs/xc-avatar.com
;     -DOUTFILE=/abs/dist/xc-avatar-0.1.0-windows-x86_64-setup.exe -DROOT=/abs/repo installer.nsi
; Every path is absolute: makensis changes into this file's folder before reading it.
; A 64-bit installer for a 64-bit app: it runs under wine64 alone, so scripts/test-installer can
; install, check and uninstall it on Linux (.ci/run and the release workflow).
;
; Installs for the current user only (no administrator rights, no UAC prompt: corporate laptops)
; into %LOCALAPPDATA%\Programs\xc-avatar, with
;   - a Start-menu shortcut,
;   - "Open with" for the picture formats xc-avatar reads (it never takes over a format's default),
;   - an entry in Settings > Apps (Add/Remove Programs) with the uninstaller.
;   - xc-avatar.com beside xc-avatar.exe (assets/windows/console-launcher.c): a typed
;     `xc-avatar ...` in cmd or PowerShell finds the .com first (PATHEXT) and behaves as a
;     console program; the install folder goes on the user's PATH for that.
; The uninstaller removes exactly what was installed. The token in Credential Manager and the
; settings in %APPDATA%\xc-avatar are the user's and stay.

Target amd64-unicode
ManifestDPIAware true
RequestExecutionLevel user
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "makensis /DVERSION=x.y.z"
!endif
!ifndef EXE
  !error "makensis -DEXE=/abs/path/to/xc-avatar.exe"
!endif
!ifndef COM
  !error "makensis -DCOM=/abs/path/to/xc-avatar.com (the console launcher)"
!endif
!ifndef OUTFILE
  !define OUTFILE "xc-avatar-${VERSION}-windows-x86_64-setup.exe"
!endif
!ifndef ROOT
  !error "makensis -DROOT=/abs/path/to/the/repository"
!endif

!define APP "xc-avatar"
!define PUBLISHER "The xc-avatar developers"
!define URL "https://github.com/xc-avatar/xc-avatar"
!define PROGID "xc-avatar.Image"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP}"
!define APPPATHS_KEY "Software\Microsoft\Windows\CurrentVersion\App Paths\${APP}.exe"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "WinMessages.nsh"
!include "StrFunc.nsh"
${StrStr}
${UnStrRep}

Name "${APP}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP}"
InstallDirRegKey HKCU "${UNINST_KEY}" "InstallLocation"
BrandingText "${APP} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APP}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APP} installer"
VIAddVersionKey "CompanyName" "${PUBLISHER}"
VIAddVersionKey "LegalCopyright" "${PUBLISHER}, MIT OR Apache-2.0"

!define MUI_ICON "${ROOT}\assets\icons\xc-avatar.ico"
!define MUI_UNICON "${ROOT}\assets\icons\xc-avatar.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP}.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${APP}"

!insertmacro MUI_PAGE_LICENSE "${ROOT}\LICENSE-MIT"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

; "Open with": the ProgID, listed under each extension's OpenWithProgids, and the application's
; SupportedTypes (what Windows shows in "Open with > Choose another app").
!macro OpenWith EXT
  WriteRegStr HKCU "Software\Classes\${EXT}\OpenWithProgids" "${PROGID}" ""
  WriteRegStr HKCU "Software\Classes\Applications\${APP}.exe\SupportedTypes" "${EXT}" ""
!macroend
!macro UnOpenWith EXT
  DeleteRegValue HKCU "Software\Classes\${EXT}\OpenWithProgids" "${PROGID}"
  DeleteRegKey /ifempty HKCU "Software\Classes\${EXT}\OpenWithProgids"
  DeleteRegKey /ifempty HKCU "Software\Classes\${EXT}"
!macroend

Section "Install"
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  File "/oname=${APP}.exe" "${EXE}"
  File "/oname=${APP}.com" "${COM}"
  File "/oname=README.md" "${ROOT}\README.md"
  File "/oname=LICENSE-MIT.txt" "${ROOT}\LICENSE-MIT"
  File "/oname=LICENSE-APACHE.txt" "${ROOT}\LICENSE-APACHE"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\${APP}.exe" "" "$INSTDIR\${APP}.exe" 0 \
    SW_SHOWNORMAL "" "Change your F5 Distributed Cloud profile picture"

  WriteRegStr HKCU "Software\Classes\${PROGID}" "" "Picture (${APP})"
  WriteRegStr HKCU "Software\Classes\${PROGID}\DefaultIcon" "" '"$INSTDIR\${APP}.exe",0'
  WriteRegStr HKCU "Software\Classes\${PROGID}\shell\open" "FriendlyAppName" "${APP}"
  WriteRegStr HKCU "Software\Classes\${PROGID}\shell\open\command" "" '"$INSTDIR\${APP}.exe" "%1"'
  WriteRegStr HKCU "Software\Classes\Applications\${APP}.exe" "FriendlyAppName" "${APP}"
  WriteRegStr HKCU "Software\Classes\Applications\${APP}.exe\shell\open\command" "" '"$INSTDIR\${APP}.exe" "%1"'
  !insertmacro OpenWith ".jpg"
  !insertmacro OpenWith ".jpeg"
  !insertmacro OpenWith ".jpe"
  !insertmacro OpenWith ".jfif"
  !insertmacro OpenWith ".png"
  !insertmacro OpenWith ".webp"
  !insertmacro OpenWith ".heic"
  !insertmacro OpenWith ".heif"
  !insertmacro OpenWith ".avif"
  !insertmacro OpenWith ".gif"
  !insertmacro OpenWith ".bmp"
  !insertmacro OpenWith ".tif"
  !insertmacro OpenWith ".tiff"

  ; Win+R "xc-avatar"
  WriteRegStr HKCU "${APPPATHS_KEY}" "" "$INSTDIR\${APP}.exe"
  Call AddToPath

  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINST_KEY}" "URLInfoAbout" "${URL}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" '"$INSTDIR\${APP}.exe",0'
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
  SectionGetSize 0 $0
  WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" $0

  ; Tell Explorer the associations changed (SHCNE_ASSOCCHANGED).
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
SectionEnd

Section "Uninstall"
  SetShellVarContext current
  Delete "$SMPROGRAMS\${APP}.lnk"
  Delete "$INSTDIR\${APP}.exe"
  Delete "$INSTDIR\${APP}.com"
  Delete "$INSTDIR\README.md"
  Delete "$INSTDIR\LICENSE-MIT.txt"
  Delete "$INSTDIR\LICENSE-APACHE.txt"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"

  !insertmacro UnOpenWith ".jpg"
  !insertmacro UnOpenWith ".jpeg"
  !insertmacro UnOpenWith ".jpe"
  !insertmacro UnOpenWith ".jfif"
  !insertmacro UnOpenWith ".png"
  !insertmacro UnOpenWith ".webp"
  !insertmacro UnOpenWith ".heic"
  !insertmacro UnOpenWith ".heif"
  !insertmacro UnOpenWith ".avif"
  !insertmacro UnOpenWith ".gif"
  !insertmacro UnOpenWith ".bmp"
  !insertmacro UnOpenWith ".tif"
  !insertmacro UnOpenWith ".tiff"
  DeleteRegKey HKCU "Software\Classes\${PROGID}"
  DeleteRegKey HKCU "Software\Classes\Applications\${APP}.exe"
  DeleteRegKey HKCU "${APPPATHS_KEY}"
  Call un.RemoveFromPath
  DeleteRegKey HKCU "${UNINST_KEY}"
  ; Parents the install may have created (a fresh profile has none): only when empty.
  DeleteRegKey /ifempty HKCU "Software\Classes\Applications"
  DeleteRegKey /ifempty HKCU "Software\Microsoft\Windows\CurrentVersion\App Paths"
  DeleteRegKey /ifempty HKCU "Software\Microsoft\Windows\CurrentVersion\Uninstall"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
SectionEnd

; The install folder on the user's PATH (HKCU\Environment), so `xc-avatar` typed in a new
; terminal finds xc-avatar.com. NSIS strings hold 1024 characters: a longer PATH is left alone
; (the README says how to add the folder by hand) rather than cut short.
!define ENV_KEY "Environment"
Function AddToPath
  ClearErrors
  ReadRegStr $0 HKCU "${ENV_KEY}" "Path"
  StrLen $1 $0
  ${If} $1 >= 900
    DetailPrint "PATH is too long to edit safely; add $INSTDIR to it by hand"
    Return
  ${EndIf}
  ${StrStr} $2 ";$0;" ";$INSTDIR;"
  ${If} $2 != ""
    Return
  ${EndIf}
  ${If} $0 == ""
    StrCpy $0 "$INSTDIR"
  ${Else}
    StrCpy $0 "$0;$INSTDIR"
  ${EndIf}
  WriteRegExpandStr HKCU "${ENV_KEY}" "Path" $0
  WriteRegStr HKCU "${UNINST_KEY}" "AddedToPath" "$INSTDIR"
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=500
FunctionEnd

Function un.RemoveFromPath
  ; Only what this installer added (a PATH entry the user made stays).
  ReadRegStr $2 HKCU "${UNINST_KEY}" "AddedToPath"
  ${If} $2 == ""
    Return
  ${EndIf}
  ReadRegStr $0 HKCU "${ENV_KEY}" "Path"
  StrLen $1 $0
  ${If} $1 >= 1000
    Return
  ${EndIf}
  ; ;a;b;c; without ;INSTDIR; then the guard semicolons off again.
  ${UnStrRep} $0 ";$0;" ";$2;" ";"
  StrCpy $0 $0 "" 1
  StrCpy $0 $0 -1
  ${If} $0 == ""
    DeleteRegValue HKCU "${ENV_KEY}" "Path"
  ${Else}
    WriteRegExpandStr HKCU "${ENV_KEY}" "Path" $0
  ${EndIf}
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=500
FunctionEnd
