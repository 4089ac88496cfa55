; KýSố installer for Windows x64 (NSIS 3, compiled on Linux by scripts/build-windows.sh).
;
;   makensis -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DDIST=<folder with the exes> -DREPO=<repo>
;            -DOUTFILE=KySo_0.1.0_x64-setup.exe src-tauri/windows/installer.nsi
;
; Per-user by default, without administrator rights (%LOCALAPPDATA%\Programs\KySo, HKCU);
; per-machine when an administrator picks it or with /AllUsers (%ProgramFiles%\KySo, HKLM).
; Command line (docs/windows.md):
;   setup.exe /S                      silent, per-user
;   setup.exe /S /AllUsers            silent, per-machine (administrator)
;   setup.exe /S /D=C:\Path           install folder (last argument, no quotes)
;   uninstall.exe /S                  silent uninstall; the user's data (queue, archive) is kept
;   uninstall.exe /S /DELETEUSERDATA  ... and the current user's data is deleted too
; Exit code 0 on success; 2 when a running KýSố could not be replaced.
;
; Tauri's own NSIS bundler is not used: on Linux it downloads plug-ins and the WebView2
; bootstrapper from outside the package registries. Everything here ships with Debian's nsis.

Unicode true
Target amd64-unicode
ManifestDPIAware true
ManifestSupportedOS Win7 Win8 Win8.1 Win10
; LZMA for the release; scripts/build-windows.sh passes -DCOMPRESSOR=zlib for test builds
; (large unoptimised exes: LZMA takes minutes).
!ifdef COMPRESSOR
  SetCompressor /SOLID ${COMPRESSOR}
!else
  SetCompressor /SOLID lzma
!endif

!ifndef VERSION | DIST | REPO | OUTFILE
  !error "define VERSION, DIST, REPO and OUTFILE (see scripts/build-windows.sh)"
!endif

!define PRODUCT "KýSố"
!define APPKEY "KySo"                 ; ASCII: folders and registry keys
!define PROGID "KySo.PDF"
!define EXE "kyso-desktop.exe"
!define PUBLISHER "KýSố"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APPKEY}"
!define APPKEYPATH "Software\${APPKEY}"
; WebView2 Evergreen runtime's client key (Microsoft: "Detect if a WebView2 Runtime is installed").
!define WV2_GUID "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

Name "${PRODUCT}"
OutFile "${OUTFILE}"
BrandingText "${PRODUCT} ${VERSION}"
ShowInstDetails show
ShowUninstDetails show

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "${PRODUCT} — bộ cài / setup"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "LegalCopyright" "MIT OR Apache-2.0"

; ---------------------------------------------------------------- per-user / per-machine
!define MULTIUSER_EXECUTIONLEVEL Highest      ; standard users: no UAC prompt, per-user
!define MULTIUSER_MUI
!define MULTIUSER_INSTALLMODE_COMMANDLINE     ; /AllUsers, /CurrentUser
!define MULTIUSER_INSTALLMODE_DEFAULT_CURRENTUSER
!define MULTIUSER_USE_PROGRAMFILES64
!define MULTIUSER_INSTALLMODE_INSTDIR "${APPKEY}"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_KEY "${APPKEYPATH}"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_VALUENAME "InstallDir"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_KEY "${APPKEYPATH}"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_VALUENAME "InstallMode"
!include MultiUser.nsh
!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh

!define MUI_ICON "${REPO}\src-tauri\icons\icon.ico"
!define MUI_UNICON "${REPO}\src-tauri\icons\icon.ico"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN
!define MUI_FINISHPAGE_RUN_TEXT "$(RunApp)"
!define MUI_FINISHPAGE_RUN_FUNCTION RunUnelevated

!insertmacro MULTIUSER_PAGE_INSTALLMODE
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "Vietnamese"
!insertmacro MUI_LANGUAGE "English"

LangString RunApp ${LANG_VIETNAMESE} "Mở ${PRODUCT}"
LangString RunApp ${LANG_ENGLISH} "Open ${PRODUCT}"
LangString OpenWith ${LANG_VIETNAMESE} "Mở bằng ${PRODUCT}"
LangString OpenWith ${LANG_ENGLISH} "Open with ${PRODUCT}"
LangString PdfType ${LANG_VIETNAMESE} "Văn bản PDF"
LangString PdfType ${LANG_ENGLISH} "PDF document"
LangString AppDesc ${LANG_VIETNAMESE} "Ký số và kiểm tra chữ ký số văn bản PDF"
LangString AppDesc ${LANG_ENGLISH} "Sign PDF documents and check their signatures"
LangString InUse ${LANG_VIETNAMESE} "${PRODUCT} đang chạy. Hãy đóng cửa sổ ${PRODUCT} rồi bấm Thử lại."
LangString InUse ${LANG_ENGLISH} "${PRODUCT} is running. Close its window, then click Retry."
LangString NoWebView ${LANG_VIETNAMESE} "Máy chưa có Microsoft Edge WebView2 Runtime, cần cho cửa sổ ${PRODUCT} (công cụ dòng lệnh kyso.exe vẫn dùng được). Cán bộ CNTT cài từ https://go.microsoft.com/fwlink/p/?LinkId=2124703 hoặc đặt MicrosoftEdgeWebview2Setup.exe cạnh bộ cài này rồi cài lại."
LangString NoWebView ${LANG_ENGLISH} "The Microsoft Edge WebView2 Runtime, which the ${PRODUCT} window needs, is missing (the kyso.exe command line still works). Install it from https://go.microsoft.com/fwlink/p/?LinkId=2124703, or put MicrosoftEdgeWebview2Setup.exe beside this setup and run it again."
LangString AskDeleteData ${LANG_VIETNAMESE} "Xoá cả dữ liệu của bạn (sổ văn bản, kho lưu trữ các văn bản đã ký, ảnh chữ ký, cấu hình)?$\r$\n$\r$\nChọn Không để giữ lại (nên chọn nếu sẽ cài lại)."
LangString AskDeleteData ${LANG_ENGLISH} "Also delete your data (document register, archive of signed documents, signature images, settings)?$\r$\n$\r$\nChoose No to keep it (recommended if you will reinstall)."

; ---------------------------------------------------------------- hooks
; The e-office bridge's local CA (docs/eoffice-bridge.md): generated on this computer in the
; user's data folder (never shipped in the installer) and trusted for the current user only
; (CurrentUser\Root; Windows shows its own confirmation). A per-machine install runs as the
; administrator, whose store is not the user's: IT trusts each user's CA with
; `kyso bridge cert --install` at logon (or GPO), as docs/eoffice-bridge.md says; so does a
; silent install (/S), since Windows' confirmation of a Root addition would wait for a click.
!macro KYSO_BRIDGE_CA_INSTALL
  ${If} $MultiUser.InstallMode == "CurrentUser"
  ${AndIfNot} ${Silent}
    nsExec::ExecToLog '"$INSTDIR\kyso.exe" bridge cert --install'
    Pop $0
  ${EndIf}
!macroend
!macro KYSO_BRIDGE_CA_REMOVE
  ${If} $MultiUser.InstallMode == "CurrentUser"
  ${AndIfNot} ${Silent}
    nsExec::ExecToLog '"$INSTDIR\kyso.exe" bridge cert --remove'
    Pop $0
  ${EndIf}
!macroend

; ---------------------------------------------------------------- functions
Function .onInit
  !insertmacro MULTIUSER_INIT
FunctionEnd

Function un.onInit
  !insertmacro MULTIUSER_UNINIT
FunctionEnd

; Stop if a running KýSố holds a program file (an image in use cannot be opened for
; writing): retry (interactive) or exit code 2 (silent).
!macro ENSURE_NOT_RUNNING UN
Function ${UN}EnsureNotRunning
  retry:
  ${ForEach} $R1 0 1 + 1
    ${If} $R1 == 0
      StrCpy $R2 "$INSTDIR\${EXE}"
    ${Else}
      StrCpy $R2 "$INSTDIR\kyso.exe"
    ${EndIf}
    ${If} ${FileExists} $R2
      ClearErrors
      FileOpen $R3 $R2 a
      ${If} ${Errors}
        ${If} ${Silent}
          DetailPrint "$(InUse)"
          SetErrorLevel 2
          Quit
        ${EndIf}
        MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(InUse)" IDRETRY retry
        Quit
      ${EndIf}
      FileClose $R3
    ${EndIf}
  ${Next}
FunctionEnd
!macroend
!insertmacro ENSURE_NOT_RUNNING ""
!insertmacro ENSURE_NOT_RUNNING "un."

; "Open KýSố" on the last page: started through Explorer, so it runs as the user and not
; elevated like an administrator's installer (an elevated window refuses files dragged from
; Explorer).
Function RunUnelevated
  Exec '"$WINDIR\explorer.exe" "$INSTDIR\${EXE}"'
FunctionEnd

; WebView2 runtime (per machine or per user); pv must exist and not be 0.0.0.0.
Function WebView2Version
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WV2_GUID}" "pv"
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKLM "SOFTWARE\Microsoft\EdgeUpdate\Clients\${WV2_GUID}" "pv"
  ${EndIf}
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKCU "Software\Microsoft\EdgeUpdate\Clients\${WV2_GUID}" "pv"
  ${EndIf}
  ${If} $0 == "0.0.0.0"
    StrCpy $0 ""
  ${EndIf}
FunctionEnd

Function CheckWebView2
  Call WebView2Version
  ${If} $0 != ""
    DetailPrint "WebView2 Runtime $0"
    Return
  ${EndIf}
  ; IT may put Microsoft's bootstrapper or standalone installer beside the setup.
  ${ForEach} $1 0 1 + 1
    ${If} $1 == 0
      StrCpy $2 "$EXEDIR\MicrosoftEdgeWebview2Setup.exe"
    ${Else}
      StrCpy $2 "$EXEDIR\MicrosoftEdgeWebView2RuntimeInstallerX64.exe"
    ${EndIf}
    ${If} ${FileExists} $2
      DetailPrint "WebView2: $2 /silent /install"
      ExecWait '"$2" /silent /install' $3
      DetailPrint "WebView2: exit code $3"
      ${Break}
    ${EndIf}
  ${Next}
  Call WebView2Version
  ${If} $0 != ""
    DetailPrint "WebView2 Runtime $0"
  ${Else}
    DetailPrint "$(NoWebView)"
    WriteRegDWORD SHCTX "${APPKEYPATH}" "WebView2Missing" 1
    ${IfNot} ${Silent}
      MessageBox MB_OK|MB_ICONINFORMATION "$(NoWebView)"
    ${EndIf}
  ${EndIf}
FunctionEnd

; ---------------------------------------------------------------- install
Section "KýSố" SecMain
  SectionIn RO
  Call EnsureNotRunning
  SetOutPath "$INSTDIR"
  SetOverwrite on
  File "${DIST}\${EXE}"
  File "${DIST}\kyso.exe"
  File "${DIST}\WebView2Loader.dll"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; The mode and folder, read back by an upgrade and by the uninstaller.
  WriteRegStr SHCTX "${APPKEYPATH}" "InstallMode" $MultiUser.InstallMode
  WriteRegStr SHCTX "${APPKEYPATH}" "InstallDir" "$INSTDIR"
  WriteRegStr SHCTX "${APPKEYPATH}" "Version" "${VERSION}"
  DeleteRegValue SHCTX "${APPKEYPATH}" "WebView2Missing"

  ; Start menu
  CreateShortCut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0 SW_SHOWNORMAL "" "$(AppDesc)"

  ; "Open with KýSố" for .pdf: a ProgID offered in Open with (the user keeps their default
  ; PDF viewer; Windows 10/11 let only the user change it), a verb on every PDF's context
  ; menu, and Default Apps capabilities so the user can pick KýSố in Settings.
  WriteRegStr SHCTX "Software\Classes\${PROGID}" "" "$(PdfType)"
  WriteRegStr SHCTX "Software\Classes\${PROGID}\DefaultIcon" "" "$INSTDIR\${EXE},0"
  WriteRegStr SHCTX "Software\Classes\${PROGID}\shell\open\command" "" '"$INSTDIR\${EXE}" "%1"'
  WriteRegStr SHCTX "Software\Classes\.pdf\OpenWithProgids" "${PROGID}" ""
  WriteRegStr SHCTX "Software\Classes\Applications\${EXE}" "FriendlyAppName" "${PRODUCT}"
  WriteRegStr SHCTX "Software\Classes\Applications\${EXE}\SupportedTypes" ".pdf" ""
  WriteRegStr SHCTX "Software\Classes\Applications\${EXE}\shell\open\command" "" '"$INSTDIR\${EXE}" "%1"'
  WriteRegStr SHCTX "Software\Classes\SystemFileAssociations\.pdf\shell\${PROGID}" "MUIVerb" "$(OpenWith)"
  WriteRegStr SHCTX "Software\Classes\SystemFileAssociations\.pdf\shell\${PROGID}" "Icon" "$INSTDIR\${EXE},0"
  WriteRegStr SHCTX "Software\Classes\SystemFileAssociations\.pdf\shell\${PROGID}\command" "" '"$INSTDIR\${EXE}" "%1"'
  WriteRegStr SHCTX "${APPKEYPATH}\Capabilities" "ApplicationName" "${PRODUCT}"
  WriteRegStr SHCTX "${APPKEYPATH}\Capabilities" "ApplicationDescription" "$(AppDesc)"
  WriteRegStr SHCTX "${APPKEYPATH}\Capabilities\FileAssociations" ".pdf" "${PROGID}"
  WriteRegStr SHCTX "Software\RegisteredApplications" "${APPKEY}" "${APPKEYPATH}\Capabilities"
  WriteRegStr SHCTX "Software\Microsoft\Windows\CurrentVersion\App Paths\${EXE}" "" "$INSTDIR\${EXE}"
  WriteRegStr SHCTX "Software\Microsoft\Windows\CurrentVersion\App Paths\kyso.exe" "" "$INSTDIR\kyso.exe"

  ; Programs and Features
  WriteRegStr SHCTX "${UNINSTKEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr SHCTX "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr SHCTX "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\${EXE},0"
  WriteRegStr SHCTX "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode'
  WriteRegStr SHCTX "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode /S'
  WriteRegDWORD SHCTX "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD SHCTX "${UNINSTKEY}" "EstimatedSize" $0

  !insertmacro KYSO_BRIDGE_CA_INSTALL

  Call CheckWebView2
  ; SHCNE_ASSOCCHANGED: Explorer picks up the new verbs without a log-off.
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
SectionEnd

; ---------------------------------------------------------------- uninstall
Section "Uninstall"
  Call un.EnsureNotRunning
  !insertmacro KYSO_BRIDGE_CA_REMOVE

  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\kyso.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${PRODUCT}.lnk"

  DeleteRegKey SHCTX "Software\Classes\${PROGID}"
  DeleteRegValue SHCTX "Software\Classes\.pdf\OpenWithProgids" "${PROGID}"
  DeleteRegKey /IfEmpty SHCTX "Software\Classes\.pdf\OpenWithProgids"
  DeleteRegKey /IfEmpty SHCTX "Software\Classes\.pdf"
  DeleteRegKey SHCTX "Software\Classes\Applications\${EXE}"
  DeleteRegKey SHCTX "Software\Classes\SystemFileAssociations\.pdf\shell\${PROGID}"
  DeleteRegKey /IfEmpty SHCTX "Software\Classes\SystemFileAssociations\.pdf\shell"
  DeleteRegKey /IfEmpty SHCTX "Software\Classes\SystemFileAssociations\.pdf"
  DeleteRegValue SHCTX "Software\RegisteredApplications" "${APPKEY}"
  DeleteRegKey SHCTX "Software\Microsoft\Windows\CurrentVersion\App Paths\${EXE}"
  DeleteRegKey SHCTX "Software\Microsoft\Windows\CurrentVersion\App Paths\kyso.exe"
  DeleteRegKey SHCTX "${UNINSTKEY}"
  DeleteRegKey SHCTX "${APPKEYPATH}"

  ; The user's data stays unless asked for: interactive question (default No) or /DELETEUSERDATA.
  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/DELETEUSERDATA" $1
  ${If} ${Errors}
    StrCpy $1 0
    ${IfNot} ${Silent}
      MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 "$(AskDeleteData)" IDNO keep
      StrCpy $1 1
      keep:
    ${EndIf}
  ${Else}
    StrCpy $1 1
  ${EndIf}
  ${If} $1 == 1
    ; The data of the user running the uninstaller (%APPDATA%\kyso, %LOCALAPPDATA%\kyso and
    ; the web view's profile), also after a per-machine install.
    SetShellVarContext current
    RMDir /r "$APPDATA\kyso"
    RMDir /r "$LOCALAPPDATA\kyso"
    RMDir /r "$LOCALAPPDATA\vn.kyso.desktop"
    ${If} $MultiUser.InstallMode == "AllUsers"
      SetShellVarContext all
    ${EndIf}
  ${EndIf}

  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
SectionEnd
