# Embeds the guest pages' files (hub/web/assets) with the booth's helper,
# kiosk/ui/embed_assets.cmake, then moves what it wrote into this component's header
# and namespace, so both daemons embed their assets the same way:
#   cmake -DASSET_DIR=... -DOUTPUT=... -DKIOSK_HELPER=... -P embed_assets.cmake
set(final_output "${OUTPUT}")
set(OUTPUT "${final_output}.kiosk-form")
include("${KIOSK_HELPER}")
file(READ "${OUTPUT}" content)
string(REPLACE "#include \"kiosk/ui/assets.hpp\"" "#include \"hub/web/assets.hpp\"" content
       "${content}")
string(REPLACE "namespace encore::kiosk::ui" "namespace encore::hub::web" content "${content}")
string(REPLACE "from kiosk/ui/assets" "from hub/web/assets (through hub/web/embed_assets.cmake)"
       content "${content}")
if(EXISTS "${final_output}")
  file(READ "${final_output}" previous)
  if(previous STREQUAL content)
    return()
  endif()
endif()
file(WRITE "${final_output}" "${content}")
